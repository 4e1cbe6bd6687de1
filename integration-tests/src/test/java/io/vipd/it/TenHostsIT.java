package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ten hosts sharing four VIPs, three of them voting ({@code voters = n1, n2, n3}) and seven Raft listeners: every
 * host is a member, listeners hold VIPs, and a crashed listener's VIP fails over. Then, on the same hosts, ten
 * voters, for the comparison the README quotes: how long one command takes to commit (an undrain through the leader's
 * control socket, which returns once the group applied it), with 3 voters and with 10.
 */
// Ten daemons starting on CI's two cores take over two minutes of a 25-minute budget: a scale run on request
// (-Dvipd.it.tenHosts=true), like the benchmarks. Listeners are covered in CI by ChaosListenersIT and the simulation.
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "vipd.it.tenHosts", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenHostsIT {
    static final int HOSTS = 10;

    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(HOSTS).vips("web", "db", "mail", "dns").manualStart();
    private Testbed bed; // set by the extension
    private final List<String> figures = new ArrayList<>();

    private void startAll(String extra) throws Exception {
        for (int i = 1; i <= HOSTS; i++) {
            bed.startDaemon(i, Map.of(), bed.config(i) + extra);
        }
        // Ten JVMs starting at once on the 2 cores of a CI machine, ten voters electing: 2 minutes was seen to be
        // just too short on a slow day; this bounds a stuck start, not the start's speed.
        Testbed.waitUntil("every VIP answered and every member reachable", 180_000, () -> {
            for (String vip : List.of("web", "db", "mail", "dns")) {
                if (bed.answeringHost(vip) == 0) {
                    return false;
                }
            }
            for (int i = 1; i <= HOSTS; i++) {
                if (!bed.reachableSeenBy(1, bed.node(i))) {
                    return false;
                }
            }
            return true;
        });
    }

    private void stopAllAndWipe() throws Exception {
        for (int i = 1; i <= HOSTS; i++) {
            if (bed.running(i)) {
                bed.kill9(i);
                bed.exitStatus(i, 10_000);
            }
            Path data = bed.dataDir(i);
            if (Files.exists(data)) {
                try (var files = Files.walk(data)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /**
     * Milliseconds for each of {@code samples} undrains sent to the leader's control socket, sorted. Ten JVMs on two
     * cores: a commit can miss the client's retries now and then (the daemon then answers that the group did not
     * commit); such a sample is counted and asked again, and most must commit the first time.
     */
    private long[] commitMillis(int samples) throws Exception {
        long[] out = new long[samples];
        int failed = 0;
        for (int k = 0; k < samples; k++) {
            int leader = bed.leader();
            assertTrue(leader > 0, "a leader");
            long t0 = System.nanoTime();
            JsonNode answer = bed.control(leader, "undrain " + bed.node(1 + k % HOSTS), 10_000);
            out[k] = (System.nanoTime() - t0) / 1_000_000L;
            if (!answer.has("result")) {
                assertTrue(++failed <= samples / 4, "most commits succeed; the last failure: " + answer);
                k--;
            }
        }
        if (failed > 0) {
            figures.add(failed + " commits not confirmed in time and asked again");
        }
        java.util.Arrays.sort(out);
        return out;
    }

    private static String describe(long[] sorted) {
        return "min " + sorted[0] + " / median " + sorted[sorted.length / 2] + " / p90 "
                + sorted[(int) (sorted.length * 0.9)] + " / max " + sorted[sorted.length - 1] + " ms";
    }

    private void assertNeverTwoMacs() {
        List<ArpReferee.Observation> all = bed.referee().observations();
        assertTrue(ArpReferee.dualAnswers(all).isEmpty(), "two MACs answered one VIP: " + ArpReferee.dualAnswers(all));
    }

    @Test
    @Order(1)
    void threeVotersAndSevenListenersHoldAndFailOverVips() throws Exception {
        startAll("voters = n1, n2, n3\n");
        JsonNode s = bed.status(1);
        int listeners = 0;
        for (JsonNode n : s.path("nodes")) {
            int host = Integer.parseInt(n.path("id").asText().substring(1));
            if (host > 3) {
                assertEquals("LISTENER", n.path("role").asText(), n.toString());
                listeners++;
            }
        }
        assertEquals(7, listeners, s.toString());
        // Which nodes the first placement finds steady depends on how fast ten JVMs start on two cores: when only
        // voters hold VIPs, a move gives one to a listener.
        for (int attempt = 0; attempt < 5
                && List.of("web", "db", "mail", "dns").stream().noneMatch(v -> bed.answeringHost(v) > 3); attempt++) {
            JsonNode moved = bed.control(1, "move web n5", 15_000); // refused while n5 is not steady yet: again
            long until = System.nanoTime() + 10_000_000_000L;
            while (moved.has("result") && bed.answeringHost("web") != 5 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            if (!moved.has("result")) {
                Thread.sleep(3_000);
            }
        }
        assertTrue(List.of("web", "db", "mail", "dns").stream().anyMatch(v -> bed.answeringHost(v) > 3),
                "a listener holds a VIP");
        String vip = List.of("web", "db", "mail", "dns").stream().filter(v -> bed.answeringHost(v) > 3)
                .findFirst().orElseThrow();
        int victim = bed.answeringHost(vip);
        long crashed = System.nanoTime();
        bed.kill9(victim);
        Testbed.waitUntil(vip + " failed over from the crashed listener", 15_000, () -> {
            int h = bed.answeringHost(vip);
            return h != 0 && h != victim;
        });
        figures.add("10 hosts (3 voters): " + vip + " failed over from crashed listener " + bed.node(victim)
                + " in " + (System.nanoTime() - crashed) / 1_000_000L + " ms (as the test polled)");
        bed.startDaemon(victim, Map.of(), bed.config(victim) + "voters = n1, n2, n3\n");
        Testbed.waitUntil(bed.node(victim) + " back", 60_000, () -> bed.reachableSeenBy(1, bed.node(victim)));
        long[] commits = commitMillis(40);
        figures.add("commit, 3 voters + 7 listeners: " + describe(commits));
        assertNeverTwoMacs();
        System.out.println("[ten hosts] " + figures);
    }

    @Test
    @Order(2)
    // Ten voting JVMs starting on the two cores of a CI machine: leaders lose leadership and elections churn (term
    // 19 within a minute in one log) until the 3-minute bound passes on a slow day; seen three times in one session,
    // passing on others. The layout vipd recommends for ten hosts is the one above; this comparison runs on
    // request: -Dvipd.it.tenVoters=true.
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "vipd.it.tenVoters", matches = "true")
    void tenVotersForTheComparison() throws Exception {
        stopAllAndWipe();
        startAll("");
        JsonNode s = bed.status(1);
        for (JsonNode n : s.path("nodes")) {
            assertTrue(List.of("LEADER", "FOLLOWER").contains(n.path("role").asText()), n.toString());
        }
        long[] commits = commitMillis(40);
        figures.add("commit, 10 voters: " + describe(commits));
        assertNeverTwoMacs();
        System.out.println("[ten hosts] " + figures);
    }
}
