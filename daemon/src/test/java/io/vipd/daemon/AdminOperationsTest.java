package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.ALICE;
import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.assign;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.defined;
import static io.vipd.daemon.RoleFixtures.handover;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vipd.cluster.Command;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** vipctl move, drain, undrain and lead on n1, with the agent thread a real single thread and waits on a fake clock. */
class AdminOperationsTest {
    final ManualClock clock = new ManualClock();
    final FakeConsensus raft = new FakeConsensus();
    final VipdConfig config = config(RoleFixtures.WEB_CHECKED);
    /** n1 owns db and web (epoch 1 each); n2 passes web's checks, n3 fails them. */
    final AtomicReference<VipTable> table = new AtomicReference<>(apply(defined(config, "n1", "n2", "n3"),
            assign("db", 0, "n1"), assign("web", 0, "n1"), new Command.Health("n2", Map.of("web", "")),
            new Command.Health("n3", Map.of("web", "connection refused"))));
    final Map<String, String> ineligible = new ConcurrentHashMap<>();
    final List<String> eligibilityAsked = new ArrayList<>();
    final ExecutorService agentThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-agent"));
    final List<Long> pauses = new ArrayList<>();
    /** Runs at each pause of a wait, before the clock moves on (the group's progress meanwhile). */
    Runnable onPause = () -> { };

    final AdminOperations admin = new AdminOperations(() -> config, () -> raft, table::get, (node, now) -> {
        eligibilityAsked.add(node + " at " + (now - ManualClock.START_NANOS) + " on "
                + Thread.currentThread().getName());
        return ineligible.get(node);
    }, agentThread, clock::nanos, clock::wallMillis, ms -> {
        pauses.add(ms);
        onPause.run();
        clock.advanceMillis(ms);
    });

    @AfterEach
    void stopAgentThread() {
        agentThread.shutdownNow();
    }

    /** Applies each committed command to the table, as the state machine would; answers with its reply byte. */
    void groupApplies() {
        raft.answer = c -> {
            VipTable before = table.get();
            VipTable after = before.apply(c).table();
            table.set(after);
            return before == after ? FakeConsensus.unchanged() : FakeConsensus.changed();
        };
    }

    String moveRefused(String vip, String node) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> admin.move(ALICE, vip, node));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals(List.of(), raft.submitted(), "a refused move submits nothing");
        return e.getCause().getMessage();
    }

    @Test
    void moveRefusesUnknownVipsAndNodesAndAMoveToWhereItIs() {
        assertEquals("unknown VIP 'mail' (configured: db, web)", moveRefused("mail", "n2"));
        assertEquals("unknown node 'n9' (members: n1, n2, n3)", moveRefused("web", "n9"));
        assertEquals("web is already on n1", moveRefused("web", "n1"));
    }

    @Test
    void moveRefusesAMoveToWhereAHandoverIsAlreadyGoing() {
        VipState web = table.get().vip("web");
        table.set(apply(table.get(), new Command.Move("web", web.epoch(), "n2", 0, "n1", "root")));
        assertEquals("n1", table.get().vip("web").releasing(), "n1 has not let go yet");
        assertEquals("web is already moving to n2 (waiting for n1 to let go, at most the failover timeout)",
                moveRefused("web", "n2"));
    }

    @Test
    void moveRefusesADrainedNode() {
        table.set(apply(table.get(), new Command.Drain("n2", true, 0)));
        assertEquals("n2 is drained (vipctl undrain n2 first)", moveRefused("web", "n2"));
    }

    @Test
    void moveRefusesANodeNotEligibleAskingOnTheAgentThreadAtTheClocksTime() {
        clock.advanceMillis(42);
        ineligible.put("n2", "renewals resumed 100 ms ago, needs 300 ms");
        assertEquals("n2 may not receive VIPs yet: renewals resumed 100 ms ago, needs 300 ms",
                moveRefused("web", "n2"));
        assertEquals(List.of("n2 at 42000000 on test-agent"), eligibilityAsked);
    }

    @Test
    void moveRefusesANodeFailingTheVipsChecksOrNotHavingRunThem() {
        assertEquals("n3 fails web's checks: connection refused", moveRefused("web", "n3"));
        table.set(apply(table.get(), new Command.Health("n2", Map.of())));
        assertEquals("n2 fails web's checks: no check results reported yet", moveRefused("web", "n2"));
    }

    @Test
    void aMoveSubmitsAMoveByThisNodeAndTheCallerThenWaitsForTheOldOwnerToLetGo() throws Exception {
        groupApplies();
        long submittedAt = clock.wallMillis();
        onPause = () -> {
            if (pauses.size() == 3) {
                table.set(apply(table.get(), new Command.Released("web", 2, "n1", "n1 let go")));
            }
        };
        assertEquals("web moved from n1 to n2 (epoch 2)", admin.move(ALICE, "web", "n2"));
        assertEquals(List.of(new Command.Move("web", 1, "n2", submittedAt, "n1", "alice (uid 1000)")),
                raft.submitted());
        assertEquals(List.of(5L, 5L, 5L), pauses);
    }

    @Test
    void aMoveWhoseOldOwnerDoesNotLetGoInFiveSecondsSaysSo() throws Exception {
        groupApplies();
        assertEquals("web assigned to n2 (epoch 2); still waiting for n1 to let go (at most the failover timeout)",
                admin.move(ALICE, "web", "n2"));
        assertEquals(5000, clock.elapsedMillis());
    }

    @Test
    void aMoveTheTableRejectedIsAnError() {
        raft.answer = c -> FakeConsensus.unchanged(); // the VIP's epoch moved on meanwhile
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> admin.move(ALICE, "db", "n3"));
        assertEquals("db changed while the move was being decided; try again", e.getMessage());
        assertEquals(List.of(), pauses);
    }

    @Test
    void aMoveTheGroupDidNotCommitIsAnError() {
        raft.answer = c -> FakeConsensus.Outcome.failed("no leader");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> admin.move(ALICE, "db", "n3"));
        assertEquals("the group did not commit the move: no leader", e.getMessage());
    }

    @Test
    void drainSubmitsADrainByThisNodeAndTheCallerThenWaitsUntilTheNodeHoldsNothing() throws Exception {
        groupApplies();
        onPause = () -> {
            if (pauses.size() == 2) { // the leader moved both away, and n1 let go of them
                table.set(apply(table.get(), handover("db", 1, "n3"), handover("web", 1, "n2"),
                        new Command.Released("db", 2, "n1", "let go")));
            } else if (pauses.size() == 4) {
                table.set(apply(table.get(), new Command.Released("web", 2, "n1", "let go")));
            }
        };
        long submittedAt = clock.wallMillis();
        assertEquals("n1 drained: it owns no VIP", admin.drain(ALICE, "n1", true));
        assertEquals(List.of(new Command.Drain("n1", true, submittedAt, "n1", "alice (uid 1000)")), raft.submitted());
        assertEquals(List.of(10L, 10L, 10L, 10L), pauses, "still releasing web after the second look");
    }

    @Test
    void aDrainWhoseVipsCannotMoveSaysWhichStay() throws Exception {
        groupApplies();
        assertEquals("n1 drained; still on it (no other eligible node, or still moving): db, web",
                admin.drain(ALICE, "n1", true));
        assertEquals(10_000, clock.elapsedMillis());
    }

    @Test
    void undrainDoesNotWait() throws Exception {
        groupApplies();
        assertEquals("n2 undrained: it may receive VIPs again (existing owners keep theirs unless preempt is on)",
                admin.drain(ALICE, "n2", false));
        assertEquals(List.of(new Command.Drain("n2", false, clock.wallMillis(), "n1", "alice (uid 1000)")),
                raft.submitted());
        assertEquals(List.of(), pauses);
    }

    @Test
    void drainRefusesAnUnknownNodeAndReportsAnUncommittedDrain() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> admin.drain(ALICE, "n9", true));
        assertEquals("unknown node 'n9' (members: n1, n2, n3)", unknown.getMessage());
        assertEquals(List.of(), raft.submitted());
        raft.answer = c -> FakeConsensus.Outcome.failed("timed out");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> admin.drain(ALICE, "n2", true));
        assertEquals("the group did not commit the drain: timed out", e.getMessage());
    }

    @Test
    void leadAsksTheGroupToMakeThisNodeLeader() throws Exception {
        assertEquals("n1 is now the leader", admin.lead(ALICE));
        assertEquals(List.of(new FakeConsensus.Transfer("n1", 5000)), raft.transfers());
        raft.transferAnswer = t -> FakeConsensus.Outcome.failed("n1 is behind the leader's log");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> admin.lead(ALICE));
        assertEquals("leadership transfer failed: n1 is behind the leader's log", e.getMessage());
    }
}
