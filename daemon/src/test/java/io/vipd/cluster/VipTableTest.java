package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VipTableTest {
    @Test
    void assignIsCompareAndSetOnTheEpoch() {
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 1, "least loaded")).table();
        assertEquals("n1", t.vip("web").owner());
        assertEquals(1, t.vip("web").epoch());
        // A decision taken on the old view (epoch 0) is discarded, not applied.
        VipTable.Applied stale = t.apply(new Command.Assign("web", 0, 0, "n2", 2, "stale"));
        assertSame(t, stale.table());
        VipTable t2 = t.apply(new Command.Assign("web", 1, 0, "n2", 3, "n1 stopped renewing")).table();
        assertEquals("n2", t2.vip("web").owner());
        assertEquals(2, t2.vip("web").epoch());
    }

    /** Found by the simulation: a renewal that commits between the leader's decision and its assignment. */
    @Test
    void assignmentIsVoidIfTheOwnerRenewedAfterTheDecision() {
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 1, "x")).table()
                .apply(new Command.Renew("n1")).table();
        // The leader saw one renewal from n1 and decided n1 stopped renewing ...
        Command.Assign move = new Command.Assign("web", 1, 1, "n2", 2, "n1 stopped renewing");
        // ... but another renewal of n1's was already in the log and committed first.
        VipTable renewed = t.apply(new Command.Renew("n1")).table();
        assertSame(renewed, renewed.apply(move).table());
        assertEquals("n1", renewed.vip("web").owner());
        // Without that renewal the move applies.
        assertEquals("n2", t.apply(move).table().vip("web").owner());
    }

    @Test
    void renewCountsAndLeaveReleasesEverythingOfTheNode() {
        VipTable t = VipTable.EMPTY
                .apply(new Command.Assign("web", 0, 0, "n1", 1, "x")).table()
                .apply(new Command.Assign("db", 0, 0, "n2", 1, "x")).table()
                .apply(new Command.Renew("n1")).table()
                .apply(new Command.Renew("n1")).table();
        assertEquals(2L, t.renewals().get("n1"));
        assertEquals(Map.of("web", 1L), t.ownedBy("n1"));
        VipTable left = t.apply(new Command.Leave("n1", 5)).table();
        assertNull(left.vip("web").owner());
        assertEquals(2, left.vip("web").epoch());
        assertEquals("n2", left.vip("db").owner());
        assertEquals(1, left.vip("db").epoch());
    }

    @Test
    void commandsRoundTrip() throws IOException {
        for (Command c : new Command[] {new Command.Renew("n1"), new Command.Assign("web", 4, 0, "n3", 99, "why"),
                new Command.Assign("web", 4, 0, null, 99, "released"), new Command.Leave("n2", 7),
                new Command.Assign("web", 4, 0, "n2", 99, "moved", true), new Command.Released("web", 5, "n1", "ok"),
                new Command.Health("n1", Map.of("web", "", "db", "tcp 127.0.0.1:5432: refused")),
                new Command.Drain("n3", true, 5), new Command.Drain("n3", false, 6, "n1", "alice (uid 1000)"),
                new Command.Move("web", 4, "n2", 8, "n1", "root (uid 0)"),
                new Command.Assignments(List.of(new Command.Assign("web", 4, 0, "n3", 99, "why"),
                        new Command.Assign("db", 1, 0, null, 99, "removed", true)))}) {
            assertEquals(c, Command.decode(c.encode()));
        }
        assertThrows(IOException.class, () -> Command.decode(new byte[] {99}));
        byte[] trailing = java.util.Arrays.copyOf(new Command.Renew("n1").encode(), 10);
        assertThrows(IOException.class, () -> Command.decode(trailing));
    }

    @Test
    void aBatchOfAssignmentsClaimingMoreThanItHoldsIsRefused() {
        byte[] one = new Command.Assignments(List.of(new Command.Assign("web", 0, 0, "n1", 1, "x"))).encode();
        byte[] lying = one.clone();
        lying[4] = 9; // count 9, one assignment's bytes
        IOException e = assertThrows(IOException.class, () -> Command.decode(lying));
        assertTrue(e.getMessage().contains("implausible assignment count 9"), e.getMessage());
        byte[] empty = new Command.Assignments(List.of()).encode();
        assertThrows(IOException.class, () -> Command.decode(empty));
    }

    @Test
    void aBatchAppliesEachAssignmentOnItsOwnTermsInOrder() {
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 1, "x")).table();
        VipTable.Applied r = t.apply(new Command.Assignments(List.of(
                new Command.Assign("web", 0, 0, "n2", 2, "stale: web is at epoch 1"),
                new Command.Assign("db", 0, 0, "n2", 2, "placed"),
                new Command.Assign("db", 1, 0, "n3", 2, "then moved on, in the same entry"))));
        assertTrue(r.changed());
        assertEquals("n1", r.table().vip("web").owner());
        assertEquals(1, r.table().vip("web").epoch());
        assertEquals("n3", r.table().vip("db").owner());
        assertEquals(2, r.table().vip("db").epoch());
        assertFalse(t.apply(new Command.Assignments(List.of(new Command.Assign("web", 5, 0, "n2", 2, "stale"))))
                .changed());
    }

    @Test
    void aMoveIsAHandoverThatSaysWhoAskedForIt() {
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 1, "x")).table();
        VipTable moved = t.apply(new Command.Move("web", 1, "n2", 5, "n3", "alice (uid 1000)")).table();
        assertEquals("n2", moved.vip("web").owner());
        assertEquals("n1", moved.vip("web").releasing());
        assertEquals("moved by alice (uid 1000) with vipctl on n3", moved.vip("web").reason());
        assertSame(moved, moved.apply(new Command.Move("web", 1, "n3", 6, "n3", "bob")).table(), "stale epoch");
    }

    @Test
    void snapshotRoundTrip() throws IOException {
        VipTable t = VipTable.EMPTY
                .apply(new Command.Assign("web", 0, 0, "n1", 1, "x")).table()
                .apply(new Command.Leave("n1", 2)).table()
                .apply(new Command.Renew("n3")).table()
                .apply(new Command.Assign("db", 0, 0, "n2", 1, "x")).table()
                .apply(new Command.Assign("db", 1, 0, "n3", 1, "moved", true)).table()
                .apply(new Command.Health("n2", Map.of("db", "exit 1"))).table()
                .apply(new Command.Drain("n2", true, 3)).table();
        assertEquals("n2", t.vip("db").releasing());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VipTableSnapshot.write(t, new DataOutputStream(bytes));
        assertEquals(t, VipTableSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
    }

    @Test
    void renewReplyRoundTrip() throws IOException {
        byte[] bytes = new RenewReply(42, Map.of("web", 3L, "db", 1L)).encode();
        RenewReply r = RenewReply.decode(bytes);
        assertEquals(42, r.index());
        assertEquals(Map.of("web", 3L, "db", 1L), r.owned());
    }

    @Test
    void renewReplyWithAnImplausibleCountIsRefused() {
        byte[] bytes = new RenewReply(42, Map.of()).encode();
        bytes[bytes.length - 1] = (byte) 0x7f; // count 0x0000007f: claims 127 entries, carries none
        bytes[bytes.length - 4] = (byte) 0x7f; // now 0x7f00007f, far above any cluster
        IOException e = assertThrows(IOException.class, () -> RenewReply.decode(bytes));
        assertTrue(e.getMessage().contains("implausible"), e.getMessage());
    }

    @Test
    void renewReplyWithTrailingBytesIsRefused() {
        byte[] good = new RenewReply(7, Map.of("web", 1L)).encode();
        byte[] bytes = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(IOException.class, () -> RenewReply.decode(bytes));
    }

    @Test
    void handoverWaitsForTheOldOwnerToConfirm() {
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table()
                .apply(new Command.Renew("n1")).table();
        // A handover ignores the renewal count (the owner is alive and renewing, by design) but not the epoch.
        assertFalse(t.apply(new Command.Assign("web", 0, 0, "n2", 0, "stale", true)).changed());
        VipTable moving = t.apply(new Command.Assign("web", 1, 0, "n2", 0, "moved", true)).table();
        VipState v = moving.vip("web");
        assertEquals("n2", v.owner());
        assertEquals("n1", v.releasing());
        assertEquals(2, v.epoch());
        assertEquals(Map.of(), moving.ownedBy("n1"), "the old owner may no longer answer");
        assertEquals(Map.of(), moving.ownedBy("n2"), "the new owner may not answer before the old one confirmed");
        // Only the node being waited for, at this epoch, can confirm.
        assertFalse(moving.apply(new Command.Released("web", 2, "n3", "x")).changed());
        assertFalse(moving.apply(new Command.Released("web", 1, "n1", "x")).changed());
        VipTable done = moving.apply(new Command.Released("web", 2, "n1", "n1 let go")).table();
        assertEquals(Map.of("web", 2L), done.ownedBy("n2"));
        assertEquals(null, done.vip("web").releasing());
    }

    @Test
    void aSecondMoveKeepsWaitingForWhoMayStillAnswer() {
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table()
                .apply(new Command.Assign("web", 1, 0, "n2", 0, "moved", true)).table();
        // n2 never answered; moving on to n3 must still wait for n1, the only one that may be answering.
        VipTable again = t.apply(new Command.Assign("web", 2, 0, "n3", 0, "moved again", true)).table();
        assertEquals("n1", again.vip("web").releasing());
        // A failover assignment (n3 died before holding) keeps the wait too.
        VipTable failover = again.apply(new Command.Assign("web", 3, 0, "n2", 0, "failover")).table();
        assertEquals("n1", failover.vip("web").releasing());
        // Moving back to n1 needs no wait: it may simply keep answering.
        VipTable back = again.apply(new Command.Assign("web", 3, 0, "n1", 0, "back", true)).table();
        assertEquals(null, back.vip("web").releasing());
        assertEquals(Map.of("web", 4L), back.ownedBy("n1"));
        // The releasing node shutting down confirms implicitly.
        VipTable left = again.apply(new Command.Leave("n1", 0)).table();
        assertEquals(null, left.vip("web").releasing());
        assertEquals(Map.of("web", 3L), left.ownedBy("n3"));
    }

    @Test
    void healthAndDrainAreReplicatedPerNode() {
        VipTable t = VipTable.EMPTY.apply(new Command.Health("n1", Map.of("web", "exit 1"))).table();
        assertEquals(Map.of("web", "exit 1"), t.healthOf("n1"));
        assertFalse(t.apply(new Command.Health("n1", Map.of("web", "exit 1"))).changed(), "same report: no change");
        assertEquals(Map.of("web", ""), t.apply(new Command.Health("n1", Map.of("web", ""))).table().healthOf("n1"));
        VipTable d = t.apply(new Command.Drain("n2", true, 0)).table();
        assertEquals(java.util.Set.of("n2"), d.drained());
        assertFalse(d.apply(new Command.Drain("n2", true, 0)).changed());
        assertEquals(java.util.Set.of(), d.apply(new Command.Drain("n2", false, 0)).table().drained());
    }
}
