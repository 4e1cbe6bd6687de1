package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.host.MacAddress;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Testbed;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One MAC per VIP over time, not only at each instant: after a cold start, a pause, a restart and a reload, the
 * client's ARP referee sees exactly the owner changes the event requires. web prefers n1 with preemption (delay 0),
 * api prefers n2 with preemption (delay 2 s), db has no preference and no preemption; fresh is added by a reload on
 * all three hosts at once and prefers n3. Owner changes and distinct MACs are counts, so they are asserted; times
 * are printed as benchmark figures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlapIT {
    private static final String PREFERENCES = String.join("\n",
            "vip.web.prefer = n1, n2, n3",
            "vip.web.preempt = on",
            "vip.api.prefer = n2, n3, n1",
            "vip.api.preempt = on",
            "vip.api.preempt.delay.ms = 2000",
            "vip.fresh.prefer = n3, n1, n2",
            "");
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "api", "db", "fresh")
            .extraConfig(PREFERENCES).manualStart();
    private Testbed bed; // set by the extension
    private long startNanos;

    @BeforeAll
    void start() throws Exception {
        startNanos = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            bed.startDaemon(i, Map.of(), bed.configWithout(i, java.util.Set.of("fresh")));
        }
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            Map<java.net.InetAddress, List<String>> dual = ArpReferee.dualAnswers(bed.referee().since(startNanos));
            assertTrue(dual.isEmpty(), "several MACs answered one VIP in the same request round: " + dual);
        }
    }

    /**
     * The MACs that answered {@code vip} (replies and gratuitous ARPs) from half a second before {@code from} (so
     * the owner before the event is in it even when it let go within one request round), in order, repeats merged.
     */
    private List<MacAddress> answerSequence(String vip, long from) {
        List<MacAddress> seq = new ArrayList<>();
        for (ArpReferee.Observation o : bed.referee().since(from - 500_000_000L)) {
            if (o.vip().equals(bed.vip(vip)) && (seq.isEmpty() || !seq.get(seq.size() - 1).equals(o.mac()))) {
                seq.add(o.mac());
            }
        }
        return seq;
    }

    private String hosts(List<MacAddress> seq) {
        List<String> names = new ArrayList<>();
        seq.forEach(m -> names.add(bed.node(bed.hostOf(m))));
        return String.join(" -> ", names);
    }

    /** Asserts that {@code vip}'s answers since {@code from} changed MAC exactly {@code changes} times. */
    private void assertOwnerChanges(String vip, long from, int changes, String event) {
        List<MacAddress> seq = answerSequence(vip, from);
        Set<MacAddress> distinct = new LinkedHashSet<>(seq);
        System.out.printf("[benchmark] %s: %s answered by %s (%d owner changes, %d distinct MACs)%n", event, vip,
                hosts(seq), Math.max(0, seq.size() - 1), distinct.size());
        assertEquals(changes, seq.size() - 1, event + ": " + vip + " was answered by " + hosts(seq));
        assertTrue(distinct.size() <= 2, event + ": " + vip + " was answered by " + hosts(seq));
    }

    /** Whether {@code vip}'s answers since {@code from} went to another host and then came back to host {@code i}. */
    private boolean returnedTo(String vip, int i, long from) {
        List<MacAddress> seq = answerSequence(vip, from);
        return seq.size() >= 3 && seq.get(seq.size() - 1).equals(bed.mac(i)) && bed.answeringHost(vip) == i;
    }

    /** Waits until {@code vip} is answered by host {@code i} alone and stays so for 2 s. */
    private void awaitSteadyOn(String vip, int i, long timeoutMs) throws InterruptedException {
        Testbed.waitUntil(vip + " answered by " + bed.node(i), timeoutMs, () -> bed.answeringHost(vip) == i);
        Thread.sleep(2000);
    }

    @Test
    @Order(1)
    void coldStartPutsEachVipOnItsPreferredNodeDirectly() throws Exception {
        awaitSteadyOn("web", 1, 60_000);
        awaitSteadyOn("api", 2, 30_000);
        Testbed.waitUntil("db answered", 30_000, () -> bed.answeringHost("db") != 0);
        Thread.sleep(1000);
        assertOwnerChanges("web", startNanos, 0, "cold start");
        assertOwnerChanges("api", startNanos, 0, "cold start");
        assertOwnerChanges("db", startNanos, 0, "cold start");
    }

    @Test
    @Order(2)
    void pausedOwnerWithPreemptGetsItsVipBackOnceWithoutPingPong() throws Exception {
        for (int trial = 1; trial <= 2; trial++) {
            awaitSteadyOn("web", 1, 30_000);
            long from = System.nanoTime();
            bed.pause(1);
            Thread.sleep(5000);
            bed.resume(1);
            long resumed = System.nanoTime();
            Testbed.waitUntil("web back on n1", 30_000, () -> bed.answeringHost("web") == 1);
            System.out.printf("[benchmark] SIGSTOP 5 s of web's owner n1, trial %d: web back on n1 %d ms after "
                    + "SIGCONT (preempt delay 0, hold %d ms)%n", trial, (System.nanoTime() - resumed) / 1_000_000L,
                    io.vipd.config.VipSpec.DEFAULT_PREEMPT_HOLD_MS);
            Thread.sleep(3000);
            assertOwnerChanges("web", from, 2, "SIGSTOP 5 s of n1, trial " + trial);
        }
    }

    @Test
    @Order(3)
    void pausedOwnerWithAPreemptDelayToo() throws Exception {
        awaitSteadyOn("api", 2, 30_000);
        long from = System.nanoTime();
        bed.pause(2);
        Thread.sleep(5000);
        bed.resume(2);
        Testbed.waitUntil("api back on n2", 30_000, () -> bed.answeringHost("api") == 2);
        Thread.sleep(3000);
        assertOwnerChanges("api", from, 2, "SIGSTOP 5 s of n2 (preempt delay 2 s)");
    }

    @Test
    @Order(4)
    void restartedOwnerWithPreemptReturnsOnceAndWithoutItDoesNot() throws Exception {
        for (int trial = 1; trial <= 2; trial++) {
            if (trial == 2) {
                bed.lead(1); // the second restart is of the Raft leader: it hands leadership over first
            }
            awaitSteadyOn("web", 1, 30_000);
            if (bed.answeringHost("db") != 1) {
                // db (preempt off) on the restarted host too: it must move away once and stay away
                JsonNode moved = bed.control(1, "move db n1", 15_000);
                assertTrue(moved.has("result"), moved.toString());
            }
            awaitSteadyOn("db", 1, 15_000);
            long from = System.nanoTime();
            long stopMs = bed.terminate(1);
            bed.startDaemon(1, Map.of(), bed.configWithout(1, java.util.Set.of("fresh")));
            // n1's own answers from before the restart are still in the referee's recent window: wait for an
            // answer by n1 that came after someone else's
            Testbed.waitUntil("web back on n1", 40_000, () -> returnedTo("web", 1, from));
            Thread.sleep(3000);
            System.out.printf("[benchmark] restart of n1, trial %d: exited %d ms after SIGTERM%n", trial, stopMs);
            assertOwnerChanges("web", from, 2, "restart of n1 (preempt on), trial " + trial);
            assertOwnerChanges("db", from, 1, "restart of n1 (db: preempt off), trial " + trial);
        }
    }

    @Test
    @Order(5)
    void ownerCutOffFromThePeersGetsItsVipBackOnceAfterTheHeal() throws Exception {
        awaitSteadyOn("api", 2, 30_000);
        long from = System.nanoTime();
        bed.isolate(2);
        Thread.sleep(6000);
        bed.heal(2);
        long healed = System.nanoTime();
        Testbed.waitUntil("api back on n2", 30_000, () -> bed.answeringHost("api") == 2);
        System.out.printf("[benchmark] n2 cut off 6 s: api back on n2 %d ms after the heal (preempt delay 2000 ms)%n",
                (System.nanoTime() - healed) / 1_000_000L);
        Thread.sleep(3000);
        assertOwnerChanges("api", from, 2, "n2 cut off from its peers for 6 s, then healed");
    }

    @Test
    @Order(6)
    void aVipAddedByAReloadOnEveryHostGoesStraightToItsPreferredNode() throws Exception {
        for (int i = 1; i <= 3; i++) {
            Files.writeString(bed.configPath(i), bed.config(i));
        }
        long from = System.nanoTime();
        List<CompletableFuture<JsonNode>> reloads = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int h = i;
            reloads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return bed.control(h, "reload", 15_000);
                } catch (java.io.IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        for (CompletableFuture<JsonNode> r : reloads) {
            JsonNode answer = r.get();
            assertTrue(answer.has("result"), answer.toString());
        }
        awaitSteadyOn("fresh", 3, 30_000);
        assertOwnerChanges("fresh", from, 0, "reload adding fresh (prefers n3) on all hosts");
    }
}
