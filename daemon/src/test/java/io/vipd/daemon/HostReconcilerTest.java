package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipStateMachine;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import io.vipd.host.FakeHostNetwork;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostReconcilerTest {
    static final long MS = RoleFixtures.MS;

    final VipdConfig config = RoleFixtures.config();
    final ManualClock clock = new ManualClock();
    final FakeHostNetwork net = new FakeHostNetwork("eth0");
    final HostActuator host = new HostActuator(net, net.fence(), config.vips(), config.announce(), clock::nanos);
    final OwnerLease lease = new OwnerLease(config.timing().leaseMs());
    final FakeConsensus raft = new FakeConsensus();
    final HostReconciler reconciler = new HostReconciler("n1", lease, host,
            new Handovers("n1", RoleFixtures.DIRECT), new Reports(() -> config, RoleFixtures.DIRECT),
            new Renewals("n1", 4, clock::nanos, RoleFixtures.DIRECT, (start, reply) -> { }, () -> null), clock::nanos,
            config.timing());
    final VipStateMachine.View webOnN1 = new VipStateMachine.View(1,
            VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table());

    boolean carriesWeb() {
        return host.heldSince().containsKey("web");
    }

    @Test
    void aVipIsBoundOnlyWithEnoughLeaseLeftButKeptUntilTheLeaseEnds() {
        clock.advanceMillis(10_000);
        long lateStart = clock.nanos() - 600 * MS; // a renewal that took 600 ms of the 700 ms lease to commit
        lease.renewed(lateStart, 1, Map.of("web", 1L));
        reconciler.reconcile(raft, webOnN1);
        assertFalse(carriesWeb(), "100 ms of lease left (< " + config.timing().minimumBindLeaseMs() + " ms): not bound");
        assertTrue(net.actions.stream().noneMatch(a -> a.startsWith("add") || a.startsWith("arp")), net.actions.toString());

        lease.renewed(clock.nanos() - 5 * MS, 1, Map.of("web", 1L));
        reconciler.reconcile(raft, webOnN1);
        assertTrue(carriesWeb(), "a fresh lease: bound");

        // Once carried, a short lease keeps it to the lease's end: it is not released early.
        clock.advanceMillis(600);
        reconciler.reconcile(raft, webOnN1);
        assertTrue(carriesWeb(), "100 ms left: still carried");
        clock.advanceMillis(100);
        reconciler.reconcile(raft, webOnN1);
        assertFalse(carriesWeb(), "lease over: released");
        assertEquals(1, net.actions.stream().filter(a -> a.startsWith("add")).count(), net.actions.toString());
    }

    @Test
    void onANetworkWhoseCommitsAlwaysTakeMostOfTheLeaseAVipIsBoundAfterOneLease() {
        clock.advanceMillis(10_000);
        long firstTry = clock.nanos();
        for (int step = 0; step <= 7; step++) { // a renewal every 100 ms, each committed 600 ms after it started
            lease.renewed(clock.nanos() - 600 * MS, 1, Map.of("web", 1L));
            reconciler.reconcile(raft, webOnN1);
            boolean afterOneLease = clock.nanos() - firstTry >= config.timing().leaseMs() * MS;
            assertEquals(afterOneLease, carriesWeb(), "after " + step * 100 + " ms");
            clock.advanceMillis(100);
        }
    }

    @Test
    void aGroupArrivesWhole() {
        // web and db are one group: db still waits for its previous owner, so web is not bound either
        HostReconciler grouped = new HostReconciler("n1", lease, host, new Handovers("n1", RoleFixtures.DIRECT),
                new Reports(() -> config, RoleFixtures.DIRECT), new Renewals("n1", 4, clock::nanos,
                RoleFixtures.DIRECT, (start, reply) -> { }, () -> null), clock::nanos, config.timing(),
                vip -> List.of("db", "web"));
        clock.advanceMillis(10_000);
        VipTable both = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n2", 0, "x")).table()
                .apply(new Command.Assign("db", 0, 0, "n2", 0, "x")).table()
                .apply(new Command.Together(List.of(new Command.Assign("web", 1, 0, "n1", 0, "x", true),
                        new Command.Assign("db", 1, 0, "n1", 0, "x", true)))).table();
        VipTable webReleased = both.apply(new Command.Released("web", 2, "n2", "let go")).table();
        lease.renewed(clock.nanos(), 3, webReleased.ownedBy("n1"));
        grouped.reconcile(raft, new VipStateMachine.View(3, webReleased));
        assertFalse(carriesWeb(), "n2 has not confirmed db yet: none of the group is bound");
        VipTable allReleased = webReleased.apply(new Command.Released("db", 2, "n2", "let go")).table();
        lease.renewed(clock.nanos(), 4, allReleased.ownedBy("n1"));
        grouped.reconcile(raft, new VipStateMachine.View(4, allReleased));
        assertTrue(carriesWeb() && host.heldSince().containsKey("db"), "both bound at once");
        // a member already carried stays carried while another member is moving (the group is being repaired)
        VipTable dbMoving = allReleased.apply(new Command.Assign("db", 2, 0, "n3", 0, "x", true)).table();
        lease.renewed(clock.nanos(), 5, dbMoving.ownedBy("n1"));
        grouped.reconcile(raft, new VipStateMachine.View(5, dbMoving));
        assertTrue(carriesWeb(), "web stays");
    }
}
