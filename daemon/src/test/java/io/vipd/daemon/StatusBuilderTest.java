package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.assign;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.defined;
import static io.vipd.daemon.RoleFixtures.handover;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import io.vipd.control.StatusReport;
import io.vipd.host.FakeHostNetwork;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What vipctl status shows on n1 (web has a check and preemption, db neither). */
class StatusBuilderTest {
    final ManualClock clock = new ManualClock();
    final VipdConfig config = config("check.port.type = tcp", "check.port.target = 127.0.0.1:80",
            "vip.web.checks = port", "vip.web.preempt = on", "vip.web.preempt.delay.ms = 5000");
    final FakeConsensus raft = new FakeConsensus().leader("n2");
    final AtomicReference<Consensus> cluster = new AtomicReference<>(raft);
    final AtomicReference<VipTable> table = new AtomicReference<>(defined(config, "n1", "n2", "n3"));
    final Liveness liveness = new Liveness(850, 300, 350);
    final OwnerLease lease = new OwnerLease(700);
    final FakeHostNetwork net = new FakeHostNetwork("eth0");
    final HostActuator host = new HostActuator(net, net.fence(), config.vips(), config.announce(), clock::nanos);
    final Map<String, String> ineligible = new HashMap<>();
    final OperatorActions operatorActions = new OperatorActions(
            Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC));
    final LeaderView leaderView = new LeaderView(850);
    final StatusBuilder status = new StatusBuilder(() -> config, cluster::get, table::get, liveness, leaderView,
            lease, host, (node, now) -> ineligible.get(node), operatorActions, clock::nanos);

    static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        return items.stream().collect(Collectors.toMap(name, i -> i));
    }

    Map<String, StatusReport.NodeStatus> nodes(StatusReport r) {
        return byName(r.nodes(), StatusReport.NodeStatus::id);
    }

    Map<String, StatusReport.VipStatus> vips(StatusReport r) {
        return byName(r.vips(), StatusReport.VipStatus::name);
    }

    @Test
    void beforeTheRaftServerRunsThisNodeIsStartingAndKnowsNothing() {
        cluster.set(null);
        StatusReport r = status.build();
        assertEquals(List.of("n1", "vipd", "STARTING", -1L, 0L), List.of(r.node(), r.cluster(), r.role(),
                r.appliedIndex(), r.term()));
        assertNull(r.leader());
        assertEquals(List.of("STARTING", "UNKNOWN", "UNKNOWN"), r.nodes().stream().map(StatusReport.NodeStatus::role)
                .toList());
        assertTrue(r.nodes().stream().noneMatch(StatusReport.NodeStatus::reachable));
        StatusReport.VipStatus web = vips(r).get("web");
        assertEquals(List.of(0L, "never assigned", "-"), List.of(web.epoch(), web.reason(), web.lease()));
        assertNull(web.ownedSince());
        assertEquals("not reported yet", web.disagreements().get("n2"), "the empty table, not the real one");
    }

    @Test
    void rolesReachabilityAndEligibilityOfEachMember() {
        raft.role = "FOLLOWER";
        raft.term = 7;
        raft.appliedIndex = 42;
        // a follower shows what the leader said of each member in its latest renewal's reply, aged since
        leaderView.saw(40, Map.of("n3", new io.vipd.cluster.PeerView(true, 0, "")), clock.nanos());
        lease.renewed(clock.nanos(), 40, Map.of());
        table.set(apply(table.get(), new Command.Drain("n3", true, 0)));
        ineligible.put("n3", "renewals resumed 100 ms ago, needs 300 ms");
        clock.advanceMillis(100);
        StatusReport r = status.build();
        assertEquals(List.of("FOLLOWER", "n2", 7L, 42L), List.of(r.role(), r.leader(), r.term(), r.appliedIndex()));
        Map<String, StatusReport.NodeStatus> n = nodes(r);
        assertEquals(new StatusReport.NodeStatus("n1", "198.18.0.1:7400", "FOLLOWER", true, false, true, -1, false,
                null), n.get("n1"), "itself: reachable while its lease is valid");
        assertEquals(new StatusReport.NodeStatus("n2", "198.18.0.2:7400", "LEADER", false, true, false, -1, false,
                null), n.get("n2"), "the leader, of whom the leader's reply said nothing");
        assertEquals(new StatusReport.NodeStatus("n3", "198.18.0.3:7400", "FOLLOWER", true, false, false, 100, true,
                "renewals resumed 100 ms ago, needs 300 ms"), n.get("n3"));
        clock.advanceMillis(800);
        n = nodes(status.build());
        assertEquals(List.of("UNKNOWN", false), List.of(n.get("n3").role(), n.get("n3").reachable()),
                "the leader's word is older than the failover timeout");
        assertFalse(n.get("n1").reachable(), "own lease lapsed");
        raft.role = "STOPPED";
        assertEquals("STOPPED", nodes(status.build()).get("n1").role());
    }

    @Test
    void leaseStatesHeldExpiringFencedReleasing() {
        table.set(apply(table.get(), assign("web", 0, "n1"), assign("db", 0, "n1")));
        lease.renewed(clock.nanos(), 10, Map.of("web", 1L, "db", 1L));
        host.sync(Map.of("web", 1L), lease.deadlineNanos(), clock.nanos()); // db's address could not be added
        clock.advanceMillis(100);
        Map<String, StatusReport.VipStatus> v = vips(status.build());
        assertEquals(List.of("held", true, 100L), List.of(v.get("web").lease(), v.get("web").heldHere(),
                v.get("web").sinceRenewalMs()));
        assertEquals(List.of("fenced", false), List.of(v.get("db").lease(), v.get("db").heldHere()));
        clock.advanceMillis(400); // 200 ms of 700 left: less than a third
        assertEquals("expiring", vips(status.build()).get("web").lease());
        table.set(apply(table.get(), handover("web", 1, "n2"), handover("db", 1, "n3")));
        v = vips(status.build());
        assertEquals(List.of("releasing", -1L, "n1"), List.of(v.get("web").lease(), v.get("web").sinceRenewalMs(),
                v.get("web").releasing()), "owned by n2 now, still carried here");
        assertEquals(List.of("-", "n3", 2L), List.of(v.get("db").lease(), v.get("db").owner(), v.get("db").epoch()));
    }

    @Test
    void healthDisagreementsPreferenceAndPreemptPerVip() {
        table.set(apply(VipTable.EMPTY, new Command.Definitions("n1", RoleFixtures.definitions(config)),
                new Command.Definitions("n2", Map.of("web", "198.18.0.200/24")),
                new Command.Health("n1", Map.of("web", "")), new Command.Health("n2", Map.of("web", "HTTP 503")),
                assign("web", 0, "n1")));
        Map<String, StatusReport.VipStatus> v = vips(status.build());
        StatusReport.VipStatus web = v.get("web");
        assertEquals(Map.of("n1", "ok", "n2", "HTTP 503", "n3", "no check results reported yet"), web.health());
        assertEquals(Map.of("n2", "198.18.0.200/24", "n3", "not reported yet"), web.disagreements());
        assertEquals(List.of("198.18.0.100/24", "eth0", "n1", 1L, "test setup", "on, delay 5000 ms"),
                List.of(web.address(), web.iface(), web.owner(), web.epoch(), web.reason(), web.preempt()));
        assertEquals(Instant.ofEpochMilli(ManualClock.START_WALL_MILLIS).toString(), web.ownedSince());
        assertEquals(List.of("n2", "n1"), web.preferred());
        StatusReport.VipStatus db = v.get("db");
        assertEquals(Map.of(), db.health(), "no checks");
        assertEquals(Map.of("n2", "not defined", "n3", "not reported yet"), db.disagreements());
        assertEquals(List.of("off", List.of()), List.of(db.preempt(), db.preferred()));
    }

    @Test
    void theLatestOperatorActionsAreShown() {
        operatorActions.applied(new Command.Move("web", 1, "n2", 0, "n1", "alice (uid 1000)"), true, true);
        operatorActions.applied(new Command.Drain("n3", true, 0, "n2", "bob (uid 1001)"), false, false);
        assertEquals(List.of("2024-05-01T10:00:00Z move web to n2 by alice (uid 1000) on n1",
                "2024-05-01T10:00:00Z drain n3 by bob (uid 1001) on n2 (no change) (replayed)"),
                status.build().operatorActions());
    }
}
