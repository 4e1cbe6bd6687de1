package io.vipd.config;

import java.util.Optional;

/**
 * How many members ({@code peer.ID} keys) a cluster may have, as someone who has run Raft (or Pacemaker with
 * quorum) would expect: every renewal of every lease is committed by a majority of the members.
 */
final class ClusterSizeRules {
    /** Past this, every commit waits on dozens of hosts, and the renewal traffic grows with the square of the size. */
    static final int MAX_MEMBERS = 64;
    /** More voters than this buys no useful safety; 3 (one may fail) or 5 (two may fail) is usual. */
    static final int MANY_MEMBERS = 9;

    private ClusterSizeRules() {
    }

    static Optional<String> problem(int members) {
        if (members > MAX_MEMBERS) {
            return Optional.of(members + " members; at most " + MAX_MEMBERS + " are supported: every lease renewal of "
                    + "every member is committed by a majority of all members, several times a second (3 or 5 is "
                    + "usual)");
        }
        return Optional.empty();
    }

    static Optional<String> warning(int members) {
        if (members == 1) {
            return Optional.of("only one member: nothing can fail over; when this host stops, its VIPs are gone "
                    + "(3 or 5 members is usual)");
        }
        if (members == 2) {
            return Optional.of("2 members: a majority of 2 is 2, so when either node fails (or the two cannot talk) "
                    + "no lease renewal is confirmed, no VIP fails over and the VIPs of the survivor go unanswered too; "
                    + "add a third node (3 or 5 members is usual), or a small witness (witnesses = ID) that votes "
                    + "but holds no VIP");
        }
        if (members > MANY_MEMBERS) {
            return Optional.of(members + " voting members: every lease renewal waits for " + (members / 2 + 1)
                    + " of them to write it, which adds latency and load without useful safety (3 or 5 is usual)");
        }
        return Optional.empty();
    }
}
