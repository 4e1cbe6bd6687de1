package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.assign;
import static io.vipd.daemon.RoleFixtures.handover;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.cluster.Command;
import io.vipd.cluster.VipTable;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/** Confirmations of handovers away from this node (n1). */
class HandoversTest {
    final FakeConsensus raft = new FakeConsensus();
    /** The agent thread: completions wait here until the test runs them. */
    final Queue<Runnable> agentThread = new ArrayDeque<>();
    final Handovers handovers = new Handovers("n1", agentThread::add);

    /** web moved from n1 to n2 (epoch 2, n1 releasing); db moved from n3 to n1 (epoch 2, n3 releasing). */
    final VipTable table = apply(VipTable.EMPTY, assign("web", 0, "n1"), handover("web", 1, "n2"),
            assign("db", 0, "n3"), handover("db", 1, "n1"));

    void runAgentThread() {
        while (!agentThread.isEmpty()) {
            agentThread.poll().run();
        }
    }

    @Test
    void noConfirmationWhileTheHostStillCarriesTheVip() {
        handovers.confirm(raft, table, Set.of("web"));
        assertEquals(List.of(), raft.submitted());
    }

    @Test
    void confirmsOnceTheHostLetGoAndOnlyHandoversAwayFromThisNode() {
        handovers.confirm(raft, table, Set.of("db")); // db is coming to n1, waiting for n3: not n1's to confirm
        assertEquals(List.of(new Command.Released("web", 2, "n1", "n1 let go")), raft.submitted());
    }

    @Test
    void oneSubmissionPerHandoverUntilItsOutcomeReachesTheAgentThread() {
        handovers.confirm(raft, table, Set.of());
        handovers.confirm(raft, table, Set.of());
        assertEquals(1, raft.submitted().size(), "in flight");
        raft.completeAll(FakeConsensus.Outcome.failed("not leader"));
        handovers.confirm(raft, table, Set.of());
        assertEquals(1, raft.submitted().size(), "the outcome is back, but the agent thread has not seen it yet");
        runAgentThread();
        handovers.confirm(raft, table, Set.of());
        assertEquals(2, raft.submitted().size(), "a failed confirmation is tried again");
        assertEquals(raft.submitted().get(0), raft.submitted().get(1));
    }

    @Test
    void aLaterHandoverOfTheSameVipIsItsOwnSubmission() {
        handovers.confirm(raft, table, Set.of()); // web#2 in flight
        // web came back to n1 and went away again, to n3: epoch 4, n1 releasing once more
        VipTable later = apply(table, new Command.Released("web", 2, "n1", "let go"), handover("web", 2, "n1"),
                new Command.Released("web", 3, "n2", "let go"), handover("web", 3, "n3"));
        handovers.confirm(raft, later, Set.of());
        assertEquals(List.of(new Command.Released("web", 2, "n1", "n1 let go"),
                new Command.Released("web", 4, "n1", "n1 let go")), raft.submitted());
    }

    @Test
    void theLeadersTimeoutReleaseNamesThePreviousOwnerAndSharesTheInFlightGuard() {
        handovers.submitRelease(raft, table.vip("db"), "no confirmation from n3 within the failover timeout");
        handovers.submitRelease(raft, table.vip("db"), "again");
        assertEquals(List.of(new Command.Released("db", 2, "n3",
                "no confirmation from n3 within the failover timeout")), raft.submitted());
        handovers.confirm(raft, table, Set.of());
        raft.complete(c -> ((Command.Released) c).vip().equals("web"), FakeConsensus.changed());
        runAgentThread();
        handovers.submitRelease(raft, table.vip("db"), "still in flight");
        assertEquals(2, raft.submitted().size(), "db's release is still in flight; web's was confirmed once");
    }
}
