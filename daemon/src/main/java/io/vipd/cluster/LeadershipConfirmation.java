package io.vipd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Confirms, without a log entry, that this node still leads its term: it asks every follower whether it is still
 * in that term following this node ({@link LeaderCheck}), and succeeds once a majority of the group (this node
 * included) said yes. A follower that said yes at time {@code a} had not voted in any later term by then, and every
 * later leader needs the vote of someone in that majority: so no later leader was elected before the round began.
 * A renewal that reached the leader before the round began is therefore confirmed by a leader that was still the
 * only one when the renewal was sent.
 *
 * <p>Renewals that arrive while a round runs wait for the next round (one round in flight): a round that began
 * before a renewal arrived proves nothing about it. Ratis's own linearizable read cannot be used for this: it
 * reuses a confirmation for every later read at the same commit index, so a paused or cut-off leader answers them
 * without asking anyone.
 */
public final class LeadershipConfirmation {
    /** Asks one follower; completes with its answer, false on any failure (never exceptionally). */
    public interface Asker {
        CompletableFuture<Boolean> ask(String follower, LeaderCheck check);
    }

    private final String self;
    private final Asker asker;
    private List<CompletableFuture<Boolean>> waiting = new ArrayList<>();
    private boolean roundRunning;
    private long waitingTerm;
    private List<Set<String>> waitingQuorums;

    public LeadershipConfirmation(String self, Asker asker) {
        this.self = self;
        this.asker = asker;
    }

    /**
     * Completes with true once a round that began after this call confirmed that this node leads {@code term} of
     * the group {@code members}; false if the round did not.
     */
    public CompletableFuture<Boolean> confirm(long term, Set<String> members) {
        return confirm(term, List.of(members));
    }

    /**
     * As {@link #confirm(long, Set)}, with a majority needed in each of {@code quorums}: the old and the new voters
     * while a membership change is under way (Raft's joint consensus elects a leader only with both).
     */
    public CompletableFuture<Boolean> confirm(long term, List<Set<String>> quorums) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            if (!waiting.isEmpty() && waitingTerm != term) {
                // a newer term makes the waiting renewals' leader a different one: they fail, the new ones wait
                waiting.forEach(w -> w.complete(false));
                waiting = new ArrayList<>();
            }
            waiting.add(result);
            waitingTerm = term;
            waitingQuorums = quorums;
            start = !roundRunning;
            if (start) {
                roundRunning = true;
            }
        }
        if (start) {
            startRound();
        }
        return result;
    }

    private void startRound() {
        List<CompletableFuture<Boolean>> batch;
        long term;
        List<Set<String>> quorums;
        synchronized (this) {
            if (waiting.isEmpty()) {
                roundRunning = false;
                return;
            }
            batch = waiting;
            waiting = new ArrayList<>();
            term = waitingTerm;
            quorums = waitingQuorums;
        }
        round(term, quorums).whenComplete((ok, error) -> {
            boolean confirmed = error == null && Boolean.TRUE.equals(ok);
            batch.forEach(w -> w.complete(confirmed));
            startRound();
        });
    }

    private CompletableFuture<Boolean> round(long term, List<Set<String>> quorums) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (quorums.stream().allMatch(q -> needed(q, java.util.Set.of()) <= 0)) {
            done.complete(true);
            return done;
        }
        Set<String> everyone = new java.util.TreeSet<>();
        quorums.forEach(everyone::addAll);
        List<String> followers = everyone.stream().filter(m -> !m.equals(self)).toList();
        Set<String> yes = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger answered = new AtomicInteger();
        LeaderCheck check = new LeaderCheck(term, self);
        for (String follower : followers) {
            asker.ask(follower, check).whenComplete((ok, error) -> {
                if (error == null && Boolean.TRUE.equals(ok)) {
                    yes.add(follower);
                    if (quorums.stream().allMatch(q -> needed(q, yes) <= 0)) {
                        done.complete(true);
                    }
                }
                if (answered.incrementAndGet() == followers.size()) {
                    done.complete(false); // no-op if a majority said yes already
                }
            });
        }
        return done;
    }

    /** How many more of {@code quorum} must still say yes for a majority of it, this node counting for itself. */
    private int needed(Set<String> quorum, Set<String> yes) {
        int have = (quorum.contains(self) ? 1 : 0) + (int) quorum.stream().filter(yes::contains).count();
        return quorum.size() / 2 + 1 - have;
    }
}
