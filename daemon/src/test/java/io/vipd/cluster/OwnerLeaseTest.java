package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnerLeaseTest {
    static final long MS = 1_000_000L;

    @Test
    void nothingIsHoldableBeforeAConfirmedRenewal() {
        OwnerLease lease = new OwnerLease(500);
        lease.observe(10, Map.of("web", 1L));
        assertEquals(Map.of(), lease.holdable(0));
        assertFalse(lease.valid(0));
    }

    @Test
    void leaseRunsFromTheStartOfTheRenewalNotItsReply() {
        OwnerLease lease = new OwnerLease(500);
        lease.renewed(1000 * MS, 10, Map.of("web", 1L)); // reply arrives late; lease still counts from 1000 ms
        assertEquals(Map.of("web", 1L), lease.holdable(1499 * MS));
        assertEquals(Map.of(), lease.holdable(1500 * MS));
    }

    @Test
    void anOlderRenewalReplyDoesNotShortenOrRewindTheView() {
        OwnerLease lease = new OwnerLease(500);
        lease.renewed(2000 * MS, 20, Map.of());              // newer: owns nothing at index 20
        lease.renewed(1000 * MS, 10, Map.of("web", 1L));     // older reply arriving later
        assertEquals(Map.of(), lease.holdable(2100 * MS));
        assertTrue(lease.valid(2499 * MS));
    }

    @Test
    void theNewestIndexDecidesWhatIsOwned() {
        OwnerLease lease = new OwnerLease(500);
        lease.renewed(0, 10, Map.of("web", 1L));
        lease.observe(12, Map.of());                          // own state machine applied the move away
        assertEquals(Map.of(), lease.holdable(100 * MS));
        lease.observe(11, Map.of("web", 1L));                 // stale view: ignored
        assertEquals(Map.of(), lease.holdable(100 * MS));
        lease.observe(13, Map.of("db", 2L));
        assertEquals(Map.of("db", 2L), lease.holdable(100 * MS));
    }

    @Test
    void revokeEndsTheLeaseAtOnce() {
        OwnerLease lease = new OwnerLease(500);
        lease.renewed(0, 1, Map.of("web", 1L));
        lease.revoke(100 * MS);
        assertEquals(Map.of(), lease.holdable(100 * MS));
    }

    @Test
    void livenessExpiresAfterTheFailoverTimeout() {
        Liveness l = new Liveness(800);
        l.renewed("n1", 0);
        assertTrue(l.live("n1", 799 * MS));
        assertFalse(l.live("n1", 800 * MS));
        assertFalse(l.live("n2", 0));
        l.renewed("n2", 100 * MS);
        l.left("n2");
        assertFalse(l.live("n2", 100 * MS));
    }
}
