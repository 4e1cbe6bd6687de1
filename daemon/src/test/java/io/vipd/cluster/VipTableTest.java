package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
                new Command.Assign("web", 4, 0, null, 99, "released"), new Command.Leave("n2", 7)}) {
            assertEquals(c, Command.decode(c.encode()));
        }
        assertThrows(IOException.class, () -> Command.decode(new byte[] {9}));
        byte[] trailing = java.util.Arrays.copyOf(new Command.Renew("n1").encode(), 10);
        assertThrows(IOException.class, () -> Command.decode(trailing));
    }

    @Test
    void snapshotRoundTrip() throws IOException {
        VipTable t = VipTable.EMPTY
                .apply(new Command.Assign("web", 0, 0, "n1", 1, "x")).table()
                .apply(new Command.Leave("n1", 2)).table()
                .apply(new Command.Renew("n3")).table();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.write(new DataOutputStream(bytes));
        assertEquals(t, VipTable.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
    }

    @Test
    void renewReplyRoundTrip() throws IOException {
        byte[] bytes = VipStateMachine.encodeRenewReply(42, Map.of("web", 3L, "db", 1L));
        VipStateMachine.RenewReply r = VipStateMachine.decodeRenewReply(bytes);
        assertEquals(42, r.index());
        assertEquals(Map.of("web", 3L, "db", 1L), r.owned());
    }
}
