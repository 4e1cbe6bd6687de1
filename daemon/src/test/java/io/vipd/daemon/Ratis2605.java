package io.vipd.daemon;

import io.vipd.daemon.SimulatedCluster.Append;
import io.vipd.daemon.SimulatedCluster.Node;
import java.util.List;

/**
 * Ratis 3.3's log replication as RATIS-2605 describes it, for the compact Raft of {@link SimulatedCluster} (opt-in,
 * {@link SimulatedCluster#modelRatis33}), and the fault itself: a follower that kept a divergent, uncommitted tail
 * from an old leader is never sent the entries it lacks.
 *
 * <p>The bug is two behaviours that are harmless apart and fatal together; both hold on every node here, as in Ratis:
 * <ol>
 *   <li>A follower answers a successful heartbeat (an append with no entries) with its own log end, not with the
 *       index the leader's heartbeat verified ({@link #reported}). For a follower whose log matches the leader's,
 *       that is the same number; for one with a divergent tail beyond the common prefix it is not, and the leader
 *       takes it as the follower's match index.</li>
 *   <li>The leader, told of an inconsistency, backs off no further than its match index + 1
 *       ({@link #nextAfterRejection}). With a match index past the common prefix it never gets back to it: each
 *       append fails the follower's consistency check, and the leader sends the same one again.</li>
 * </ol>
 * What it takes is a heartbeat whose previous entry lies in the common prefix, answered while the follower still
 * holds the divergent tail. In Ratis that is a race (the appender holds entries back and sends a heartbeat after it
 * backed off); here it is forced, once, by {@link #arm}: the next leader that backs off for that follower sends it
 * heartbeats instead of entries until the heartbeat's answer has moved its replication state on ({@link #append}).
 * From then on nothing is forced: the leader keeps heartbeating the follower (which so stays a follower and knows
 * its leader) and never sends it an entry it could accept, and it counts the follower as holding everything up to
 * its log end (so the leader's own lag check sees nothing while the log stays below that). A new leader starts
 * with fresh replication state and backs off normally: the race is not forced again.
 *
 * <p>The leader's appends to such a follower carry the commit index Ratis sends (the smaller of the leader's and the
 * last index the append verifies), so a heartbeat never lets the follower commit its divergent tail.
 */
final class Ratis2605 {
    private final SimulatedCluster sim;
    /** The follower the race is forced for; -1: none (the two behaviours above still hold). */
    private int follower = -1;
    /** The leader that backed off for it, in which term, and to which next index; -1: none yet. */
    private int leader = -1;
    private long leaderTerm;
    private long backedOffTo;
    /** When the follower reported its divergent log end to that leader (simulated time); -1: not yet. */
    long tookHoldAt = -1;
    /** What the leader then took for the follower's match index, and the last index the two logs share. */
    long pollutedMatch = -1;
    long commonPrefix = -1;

    Ratis2605(SimulatedCluster sim) {
        this.sim = sim;
    }

    /** Forces the race for {@code node}: the next leader that backs off for it heartbeats it first. */
    void arm(int node) {
        follower = node;
        leader = -1;
        tookHoldAt = -1;
        sim.trace("RATIS-2605 armed for " + SimulatedCluster.name(node));
    }

    /** Behaviour 1, on follower {@code f}: what it answers a successful append that verified up to {@code index}. */
    long reported(Node f, Append a, long index) {
        if (!a.entries().isEmpty()) {
            return index;
        }
        if (f.id == follower && a.leader() == leader && f.lastIndex() > index && tookHoldAt < 0) {
            tookHoldAt = sim.now;
            pollutedMatch = f.lastIndex();
            commonPrefix = index;
            sim.trace("RATIS-2605: " + f.name + " answers a heartbeat checked at #" + index + " with its log end #"
                    + f.lastIndex() + " (entries from term " + f.termAt(f.lastIndex()) + " the leader does not have)");
        }
        return f.lastIndex();
    }

    /** Behaviour 2, on leader {@code l}: its next index for {@code from} after a rejection with that hint. */
    long nextAfterRejection(Node l, int from, long hint) {
        long next = Math.max(l.match[from] + 1, Math.max(1, Math.min(l.next[from] - 1, hint + 1)));
        if (from == follower && leader < 0 && tookHoldAt < 0) {
            leader = l.id;
            leaderTerm = l.term;
            backedOffTo = next;
            sim.trace("RATIS-2605: " + l.name + " backed off to #" + next + " for " + SimulatedCluster.name(from)
                    + "; it heartbeats it before sending entries");
        }
        return next;
    }

    /** What leader {@code l} sends {@code p} instead of an ordinary append, or null: an ordinary append. */
    Append append(Node l, int p) {
        long prev = l.next[p] - 1;
        long commit = Math.min(l.commit, prev); // Ratis's effective commit index for an append without entries
        if (prev > l.lastIndex()) {
            // A match index beyond the leader's own log: Ratis has no previous entry to name, and heartbeats the
            // follower without one. The follower accepts it, answers with its log end again, and commits nothing.
            return new Append(l.term, l.id, 0, 0, List.of(), 0);
        }
        if (p == follower && l.id == leader && l.term == leaderTerm && l.next[p] == backedOffTo) {
            // The forced race: the heartbeat goes out while the entries wait (until its answer moves next on).
            return new Append(l.term, l.id, prev, l.termAt(prev), List.of(), commit);
        }
        return null;
    }
}
