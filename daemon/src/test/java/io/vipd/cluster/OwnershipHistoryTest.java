package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replicated ownership history: one event per change of owner or holder, bounded, in the snapshot. */
class OwnershipHistoryTest {
    static VipTable apply(VipTable t, Command... commands) {
        for (Command c : commands) {
            t = t.apply(c).table();
        }
        return t;
    }

    /** "seq vip change from->to #epoch @time" per event, for compact assertions. */
    static List<String> lines(VipTable t) {
        List<String> out = new ArrayList<>();
        for (OwnershipEvent e : t.history().events()) {
            out.add(e.seq() + " " + e.vip() + " " + e.change() + " " + e.from() + "->" + e.to() + " #" + e.epoch()
                    + " @" + e.wallMillis());
        }
        return out;
    }

    @Test
    void everyKindOfChangeIsOneEvent() {
        VipTable t = apply(VipTable.EMPTY,
                new Command.Assign("web", 0, 0, "n1", 1000, "least loaded"),
                new Command.Renew("n1"),
                new Command.Assign("web", 1, 1, "n2", 2000, "least loaded; previous owner n1 stopped renewing"),
                new Command.Move("web", 2, "n3", 3000, "n1", "root"),
                new Command.Released("web", 3, "n2", "n2 let go"),
                new Command.Leave("n3", 4000));
        assertEquals(List.of(
                "1 web placed null->n1 #1 @1000",
                "2 web failover n1->n2 #2 @2000",
                "3 web handover n2->n3 #3 @3000",
                "4 web handed over n2->n3 #3 @3000",
                "5 web released n3->null #4 @4000"), lines(t));
        assertEquals("released by n3 on shutdown", t.history().events().get(4).reason());
        assertEquals(5, t.history().lastSeq());
    }

    @Test
    void whatChangesNoOwnerAddsNoEvent() {
        VipTable t = apply(VipTable.EMPTY, new Command.Assign("web", 0, 0, "n1", 1000, "least loaded"));
        VipTable renewed = apply(t, new Command.Renew("n1"), new Command.Renew("n2"),
                new Command.Health("n1", java.util.Map.of("web", "")), new Command.Drain("n3", true, 5));
        assertSame(t.history(), renewed.history());
        VipTable stale = apply(t, new Command.Assign("web", 0, 0, "n2", 2000, "decided on an old view"));
        assertSame(t, stale, "a stale assignment changes nothing, the history included");
    }

    @Test
    void aGroupMovedTogetherIsOneEventPerVip() {
        VipTable t = apply(VipTable.EMPTY, new Command.Together(List.of(
                new Command.Assign("api", 0, 0, "n1", 1000, "least loaded"),
                new Command.Assign("api6", 0, 0, "n1", 1000, "least loaded (with group pair)")), "", ""));
        assertEquals(List.of("1 api placed null->n1 #1 @1000", "2 api6 placed null->n1 #1 @1000"), lines(t));
    }

    @Test
    void theHistoryKeepsTheLastThousandAndCountsOn() {
        VipTable t = VipTable.EMPTY;
        for (int i = 0; i < OwnershipHistory.LIMIT + 5; i++) {
            t = t.apply(new Command.Assign("web", i, 0, i % 2 == 0 ? "n1" : "n2", i, "x", true)).table();
        }
        List<OwnershipEvent> events = t.history().events();
        assertEquals(OwnershipHistory.LIMIT, events.size());
        assertEquals(6, events.get(0).seq(), "the five oldest dropped");
        assertEquals(OwnershipHistory.LIMIT + 5, t.history().lastSeq());
    }

    @Test
    void aFullHistoryAddsAboutOneHundredFiftyKilobytesToASnapshot() throws Exception {
        VipTable t = VipTable.EMPTY;
        for (int i = 0; i < OwnershipHistory.LIMIT; i++) {
            t = t.apply(new Command.Assign("web-" + (i % 50), i / 50, 0, "n" + (1 + i % 3), 1_765_000_000_000L + i,
                    "least loaded; previous owner n2 stopped renewing (failover after 853 ms without a renewal)"))
                    .table();
        }
        ByteArrayOutputStream without = new ByteArrayOutputStream();
        VipTableSnapshot.write(t.withHistory(OwnershipHistory.EMPTY), new DataOutputStream(without));
        ByteArrayOutputStream with = new ByteArrayOutputStream();
        VipTableSnapshot.write(t, new DataOutputStream(with));
        int historyBytes = with.size() - without.size();
        System.out.printf("[benchmark] a full ownership history (%d events) adds %d bytes to a snapshot%n",
                t.history().events().size(), historyBytes);
        assertEquals(OwnershipHistory.LIMIT, t.history().events().size());
        assertTrue(historyBytes > 50_000 && historyBytes < 250_000, "bounded: " + historyBytes);
    }

    @Test
    void theSnapshotHoldsTheHistoryAndTablesThatAppliedTheSameLogAreEqual() throws Exception {
        Command[] log = {
            new Command.Assign("web", 0, 0, "n1", 1000, "least loaded"),
            new Command.Move("web", 1, "n2", 2000, "n1", "root"),
            new Command.Released("web", 2, "n1", "n1 let go"),
        };
        VipTable a = apply(VipTable.EMPTY, log);
        VipTable b = apply(VipTable.EMPTY, log);
        assertEquals(a, b);
        assertEquals(a.history(), b.history());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VipTableSnapshot.write(a, new DataOutputStream(bytes));
        VipTable back = VipTableSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(a, back);
        assertEquals(lines(a), lines(back));
        VipTable next = apply(back, new Command.Leave("n2", 3000));
        assertEquals(4, next.history().events().get(3).seq(), "numbering goes on after a snapshot");
    }

    @Test
    void inOneBatchEachVipIsLabelledByItsOwnAssignment() {
        VipTable t = apply(VipTable.EMPTY, new Command.Assignments(List.of(
                new Command.Assign("web", 0, 0, "n1", 1000, "least loaded"),
                new Command.Assign("db", 0, 0, "n2", 1000, "least loaded"))));
        t = apply(t, new Command.Renew("n1"), new Command.Assignments(List.of(
                new Command.Assign("web", 1, 1, "n3", 2000, "least loaded; previous owner n1 stopped renewing"),
                new Command.Assign("db", 1, 0, "n3", 2000, "owner n2 drained", true))));
        assertEquals(List.of("1 db placed null->n2 #1 @1000", "2 web placed null->n1 #1 @1000",
                "3 db handover n2->n3 #2 @2000", "4 web failover n1->n3 #2 @2000"), lines(t),
                "a placement round batches failovers and handovers: each VIP is told apart");
    }

    @Test
    void aFailoverSaysHowLongItsPreviousOwnerWasSilentAndOtherChangesDoNot() {
        String reason = "least loaded; previous owner n2 stopped renewing" + OwnershipEvent.failoverAfter(853);
        assertEquals(853, new OwnershipEvent(1, 0, "web", OwnershipEvent.FAILOVER, "n2", "n1", 2, reason)
                .silentMillis());
        assertEquals(-1, new OwnershipEvent(1, 0, "web", OwnershipEvent.FAILOVER, "n2", "n1", 2, "stopped renewing")
                .silentMillis(), "a leader that did not know the gap says nothing");
        assertEquals(-1, new OwnershipEvent(1, 0, "web", OwnershipEvent.HANDOVER, "n2", "n1", 2, reason)
                .silentMillis(), "only failovers");
        String member = reason + " (with group g); previous owner n3 stopped renewing" + OwnershipEvent.failoverAfter(
                1204);
        assertEquals(1204, new OwnershipEvent(2, 0, "db", OwnershipEvent.FAILOVER, "n3", "n1", 4, member)
                .silentMillis(), "a group member's own gap, not its lead's");
    }
}
