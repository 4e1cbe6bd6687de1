package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A group of three VIPs (api, gw, web: {@code group.svc.vips}) and a VIP alone (db) on three hosts. The group starts
 * on one host and moves as one on a {@code vipctl move} of one member, a crash of its owner, a drain, and a check of
 * one member failing on its owner. The client's ARP referee checks throughout that no VIP is answered by two MACs
 * and that no request round finds the group's VIPs answered by two different MACs (split).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupIT {
    private static final int SERVICE_PORT = 9000;
    private static final List<String> GROUP = List.of("api", "gw", "web");

    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "gw", "api", "db").extraConfig(
            String.join("\n", "group.svc.vips = web, gw, api",
                    "check.svc.type = tcp",
                    "check.svc.target = 127.0.0.1:" + SERVICE_PORT,
                    "check.svc.interval.ms = 200",
                    "check.svc.timeout.ms = 200",
                    "check.svc.rise = 2",
                    "check.svc.fall = 2",
                    "vip.gw.checks = svc",
                    "")).manualStart();
    private Testbed bed; // set by the extension
    private final List<String> figures = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        for (int i = 1; i <= 3; i++) {
            bed.service(i, SERVICE_PORT, true);
        }
        bed.startAll();
        Testbed.waitUntil("the group answered by one host", 60_000, () -> groupHost() != 0
                && bed.answeringHost("db") != 0);
    }

    @AfterAll
    void noSplitNoDual() {
        if (bed != null) {
            assertSafe();
            System.out.println("[group] " + figures);
        }
    }

    private void assertSafe() {
        List<ArpReferee.Observation> all = bed.referee().observations();
        assertTrue(ArpReferee.dualAnswers(all).isEmpty(), "two MACs answered one VIP: " + ArpReferee.dualAnswers(all));
        Set<Inet4Address> group = Set.of(bed.vip("api"), bed.vip("gw"), bed.vip("web"));
        List<String> split = ArpReferee.splitRounds(all, group);
        assertTrue(split.isEmpty(), "the group was split over two MACs: " + split);
    }

    /** The host answering every VIP of the group, or 0 if they are not all answered by one host. */
    private int groupHost() {
        int host = bed.answeringHost(GROUP.get(0));
        return host != 0 && GROUP.stream().allMatch(v -> bed.answeringHost(v) == host) ? host : 0;
    }

    private int awaitGroupOn(String what, java.util.function.IntPredicate where) {
        Testbed.waitUntil(what, 15_000, () -> groupHost() != 0 && where.test(groupHost()));
        return groupHost();
    }

    @Test
    @Order(1)
    void aMoveOfOneMemberMovesTheWholeGroup() throws Exception {
        int from = groupHost();
        int to = from % 3 + 1;
        long t0 = System.nanoTime();
        Shell.Result move = bed.vipctl(1, "move", "gw", bed.node(to));
        assertEquals(0, move.exit(), move.output());
        assertTrue(move.output().contains("api, gw, web (group svc) moved from " + bed.node(from) + " to "
                + bed.node(to)), move.output());
        awaitGroupOn("the group on " + bed.node(to), h -> h == to);
        figures.add("move: gaps " + GROUP.stream().map(v -> v + " " + bed.handoverGapMillis(v, from, to, t0)
                + " ms").toList());
        assertSafe();
    }

    @Test
    @Order(2)
    void aCrashOfTheOwnerFailsTheGroupOverWhole() throws Exception {
        int owner = groupHost();
        long t0 = System.nanoTime();
        bed.kill9(owner);
        int next = awaitGroupOn("the group failed over whole", h -> h != owner);
        figures.add("failover from the crashed " + bed.node(owner) + " to " + bed.node(next) + ": "
                + (System.nanoTime() - t0) / 1_000_000L + " ms (as the test polled)");
        assertSafe();
        bed.startDaemon(owner);
        Testbed.waitUntil(bed.node(owner) + " back", 60_000, () -> bed.reachableSeenBy(next, bed.node(owner)));
    }

    @Test
    @Order(3)
    void aDrainOfTheOwnerMovesTheGroupWhole() throws Exception {
        int owner = groupHost();
        Shell.Result drain = bed.vipctl(1, "drain", bed.node(owner));
        assertEquals(0, drain.exit(), drain.output());
        awaitGroupOn("the group off the drained " + bed.node(owner), h -> h != owner);
        assertSafe();
        assertEquals(0, bed.vipctl(1, "undrain", bed.node(owner)).exit());
    }

    @Test
    @Order(4)
    void aFailingCheckOfOneMemberMovesTheGroupWhole() throws Exception {
        int owner = groupHost();
        bed.service(owner, SERVICE_PORT, false); // gw's check fails on the owner: the whole group must go
        long t0 = System.nanoTime();
        int next = awaitGroupOn("the group off " + bed.node(owner) + " whose gw check fails", h -> h != owner);
        figures.add("gw's check failing on " + bed.node(owner) + ": group on " + bed.node(next) + " after "
                + (System.nanoTime() - t0) / 1_000_000L + " ms");
        assertSafe();
        bed.service(owner, SERVICE_PORT, true);
        Shell.Result status = bed.vipctl(1, "status");
        assertTrue(status.output().contains("api (group svc: moves with gw, web): prefer (none)"), status.output());
    }
}
