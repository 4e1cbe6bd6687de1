package io.vipd.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What vipd needs of its Raft group, in vipd's own terms: submit a command and learn its outcome, who leads, and
 * the leader's view of its followers. {@link ClusterNode} implements it over Ratis; the simulation implements it
 * with a compact Raft of its own, so the code above it is the code that ships. Nothing outside the implementations
 * sees a Ratis type.
 */
public interface Consensus {
    /**
     * The outcome of a submitted command or an admin request.
     *
     * @param committed whether the group committed it (for a command: applied; what it changed is in the reply)
     * @param reply     the state machine's reply to a command (see {@link VipStateMachine}), empty otherwise
     * @param error     why it did not commit, or null
     */
    record Outcome(boolean committed, byte[] reply, String error) {
        public static Outcome failed(String error) {
            return new Outcome(false, new byte[0], error);
        }

        /** For a compare-and-set command (assign, move): whether the table changed. */
        public boolean changed() {
            return committed && reply.length > 0 && reply[0] != 0;
        }
    }

    /** Submits {@code command} to the group; completes with its outcome (never exceptionally). */
    CompletableFuture<Outcome> submit(Command command);

    /**
     * Renews {@code node}'s lease: a read-only request the leader answers, once a majority confirmed its leadership
     * after the request arrived, with the encoded {@link RenewReply}; no log entry. Never completes exceptionally.
     */
    CompletableFuture<Outcome> renew(String node);

    /** The leader this node knows of, if any. */
    Optional<String> leader();

    /** This node leads and has committed an entry of its term: it may place VIPs. */
    boolean isLeaderReady();

    /** This node is a follower. */
    boolean isFollower();

    /** "LEADER", "FOLLOWER", "CANDIDATE", ...; "STOPPED" once the Raft server has stopped; "STARTING" before. */
    String role();

    long term();

    /** Index of the last entry this node applied, or -1. */
    long appliedIndex();

    /** Index of the last entry this node knows to be committed, or -1 (where the implementation does not say). */
    default long commitIndex() {
        return -1;
    }

    /** Index of the last entry in this node's log (replayed after start-up), or -1 if it is empty. */
    long lastLogIndex();

    /** Leader only: each follower → milliseconds since it last answered the leader. Empty elsewhere. */
    Map<String, Long> followersLastAnsweredMs();

    /** Leader only: the commit index and each follower's match index and last answer. */
    Optional<Replication> replication();

    /**
     * The leader's commit index, its followers' match indexes, and how long ago each follower last answered the
     * leader (any answer, also a refusal: a follower that lost its log answers, but holds nothing).
     */
    record Replication(long commitIndex, Map<String, Long> matchIndexes, Map<String, Long> answeredMsAgo) {}

    /**
     * The group's membership as this node's log says it is now. Empty where the implementation does not track it:
     * then the configuration file's peers are the members.
     */
    default Optional<Membership> membership() {
        return Optional.empty();
    }

    /**
     * Asks the group to change its membership from {@code from} to {@code to}, through Raft's joint consensus (new
     * members are caught up before the change is proposed); refused if the membership is no longer {@code from} or
     * another change is under way. Waits up to {@code timeoutMs}.
     */
    default Outcome changeMembership(Membership from, java.util.List<io.vipd.config.Peer> to, long timeoutMs) {
        return Outcome.failed("this group cannot change its membership");
    }

    /** Asks the group to make {@code peer} its leader; waits up to {@code timeoutMs}. */
    Outcome transferLeadershipTo(String peer, long timeoutMs);
}
