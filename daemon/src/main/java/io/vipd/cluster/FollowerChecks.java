package io.vipd.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Paces the leader's checks of each follower ({@link LeaderCheck}): at most one check of a follower runs, and at
 * most one more waits to start when it ends. A round that asks while a check runs joins the waiting one, which
 * starts after the round asked and so counts for it; the running one began earlier and proves nothing about the
 * renewals of the new round. So a follower that answers slowly (a loaded host) still confirms every round, a
 * little later, instead of saying no to every round that overlaps its last check; and a follower that does not
 * answer at all (down, paused, reconnecting) has at most two checks outstanding, never a growing queue.
 */
public final class FollowerChecks implements LeadershipConfirmation.Asker {
    /** Sends one check; completes with the follower's answer, false on any failure or timeout. */
    public interface Sender {
        CompletableFuture<Boolean> send(String follower, LeaderCheck check);
    }

    private static final class Pace {
        boolean running;
        LeaderCheck waitingCheck;
        CompletableFuture<Boolean> waiting;
    }

    private final Sender sender;
    private final Map<String, Pace> paces = new HashMap<>();

    public FollowerChecks(Sender sender) {
        this.sender = sender;
    }

    @Override
    public CompletableFuture<Boolean> ask(String follower, LeaderCheck check) {
        CompletableFuture<Boolean> superseded = null;
        CompletableFuture<Boolean> answer;
        boolean startNow = false;
        Pace pace;
        synchronized (this) {
            pace = paces.computeIfAbsent(follower, f -> new Pace());
            if (!pace.running) {
                pace.running = true;
                answer = new CompletableFuture<>();
                startNow = true; // below, outside the lock
            } else {
                if (pace.waiting != null && !pace.waitingCheck.equals(check)) {
                    // a check for another term (or leader) is waiting: that round is over, this one asks anew
                    superseded = pace.waiting;
                    pace.waiting = null;
                }
                if (pace.waiting == null) {
                    pace.waiting = new CompletableFuture<>();
                    pace.waitingCheck = check;
                }
                answer = pace.waiting;
            }
        }
        if (startNow) {
            start(follower, pace, check, answer);
        }
        if (superseded != null) {
            superseded.complete(false);
        }
        return answer;
    }

    private void start(String follower, Pace pace, LeaderCheck check, CompletableFuture<Boolean> answer) {
        CompletableFuture<Boolean> sent;
        try {
            sent = sender.send(follower, check);
        } catch (RuntimeException e) {
            sent = CompletableFuture.completedFuture(false);
        }
        sent.whenComplete((ok, error) -> {
            CompletableFuture<Boolean> next;
            LeaderCheck nextCheck;
            synchronized (this) {
                next = pace.waiting;
                nextCheck = pace.waitingCheck;
                pace.waiting = null;
                pace.waitingCheck = null;
                pace.running = next != null;
            }
            if (next != null) {
                start(follower, pace, nextCheck, next);
            }
            answer.complete(error == null && Boolean.TRUE.equals(ok));
        });
    }
}
