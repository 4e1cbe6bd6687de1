package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted {@link Consensus} for role tests. Records every submitted command; answers each with what
 * {@link #answer} returns for it, or leaves it in flight (answer null, the default) until the test completes it.
 * Leader, role, followers and replication are plain settable fields. Transfer requests are recorded (they may
 * arrive from another thread) and answered by {@link #transferAnswer}.
 */
final class FakeConsensus implements Consensus {
    record Transfer(String peer, long timeoutMs) {}

    private record InFlight(Command command, CompletableFuture<Outcome> future) {}

    private final List<Command> submitted = new CopyOnWriteArrayList<>();
    private final List<InFlight> inFlight = new ArrayList<>();
    private final List<Transfer> transfers = new CopyOnWriteArrayList<>();

    /** Each submitted command's outcome; null leaves it in flight. */
    volatile Function<Command, Outcome> answer = c -> null;
    volatile Function<Transfer, Outcome> transferAnswer = t -> committed();

    volatile Optional<String> leader = Optional.empty();
    volatile boolean leaderReady;
    volatile boolean follower;
    volatile String role = "FOLLOWER";
    volatile long term;
    volatile long appliedIndex = -1;
    volatile long lastLogIndex = -1;
    volatile Map<String, Long> followersLastAnsweredMs = Map.of();
    volatile Optional<Replication> replication = Optional.empty();

    static Outcome committed(int... reply) {
        byte[] bytes = new byte[reply.length];
        for (int i = 0; i < reply.length; i++) {
            bytes[i] = (byte) reply[i];
        }
        return new Outcome(true, bytes, null);
    }

    /** A compare-and-set command that changed the table (the state machine's reply byte 1). */
    static Outcome changed() {
        return committed(1);
    }

    /** A compare-and-set command the table rejected as stale (reply byte 0). */
    static Outcome unchanged() {
        return committed(0);
    }

    /** The membership; a committed change (see {@link #membershipAnswer}) replaces it with the new one. */
    volatile Optional<io.vipd.cluster.Membership> membership = Optional.empty();
    /** Each membership change's outcome; null commits it. */
    volatile Function<List<io.vipd.config.Peer>, Outcome> membershipAnswer = to -> null;
    final List<List<io.vipd.config.Peer>> membershipChanges = new CopyOnWriteArrayList<>();

    @Override
    public Optional<io.vipd.cluster.Membership> membership() {
        return membership;
    }

    @Override
    public Outcome changeMembership(io.vipd.cluster.Membership from, List<io.vipd.config.Peer> to, long timeoutMs) {
        membershipChanges.add(List.copyOf(to));
        Outcome out = membershipAnswer.apply(to);
        if (out != null) {
            return out;
        }
        membership = Optional.of(io.vipd.cluster.Membership.of(to, from.index() + 1));
        return committed();
    }

    FakeConsensus leader(String id) {
        this.leader = Optional.ofNullable(id);
        return this;
    }

    @Override
    public CompletableFuture<Outcome> renew(String node) {
        return submit(new Command.Renew(node)); // recorded and answered like a command
    }

    @Override
    public CompletableFuture<Outcome> submit(Command command) {
        submitted.add(command);
        Outcome now = answer.apply(command);
        if (now != null) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        synchronized (inFlight) {
            inFlight.add(new InFlight(command, f));
        }
        return f;
    }

    /** Every command submitted so far, in order; a batch of assignments counts as its assignments. */
    List<Command> submitted() {
        List<Command> out = new ArrayList<>();
        for (Command c : submitted) {
            if (c instanceof Command.Assignments as) {
                out.addAll(as.assigns());
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /** Every log entry submitted so far, in order, batches as they were sent. */
    List<Command> entries() {
        return List.copyOf(submitted);
    }

    <T extends Command> List<T> submitted(Class<T> type) {
        return submitted().stream().filter(type::isInstance).map(type::cast).toList();
    }

    void clearSubmitted() {
        submitted.clear();
    }

    int inFlightCount() {
        synchronized (inFlight) {
            return inFlight.size();
        }
    }

    /** Completes every command still in flight with {@code outcome} (callbacks run on this thread). */
    void completeAll(Outcome outcome) {
        List<InFlight> now;
        synchronized (inFlight) {
            now = List.copyOf(inFlight);
            inFlight.clear();
        }
        now.forEach(f -> f.future().complete(outcome));
    }

    /** Completes the in-flight commands {@code which} accepts with {@code outcome}. */
    void complete(java.util.function.Predicate<Command> which, Outcome outcome) {
        List<InFlight> now = new ArrayList<>();
        synchronized (inFlight) {
            inFlight.removeIf(f -> which.test(f.command()) && now.add(f));
        }
        now.forEach(f -> f.future().complete(outcome));
    }

    /** The transfer requests so far, in order. */
    List<Transfer> transfers() {
        return List.copyOf(transfers);
    }

    /** Waits (bounded) until {@code n} transfer requests arrived, for requests made off the caller's thread. */
    List<Transfer> awaitTransfers(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (transfers.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        return transfers();
    }

    @Override
    public Optional<String> leader() {
        return leader;
    }

    @Override
    public boolean isLeaderReady() {
        return leaderReady;
    }

    @Override
    public boolean isFollower() {
        return follower;
    }

    @Override
    public String role() {
        return role;
    }

    @Override
    public long term() {
        return term;
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public long lastLogIndex() {
        return lastLogIndex;
    }

    @Override
    public Map<String, Long> followersLastAnsweredMs() {
        return followersLastAnsweredMs;
    }

    @Override
    public Optional<Replication> replication() {
        return replication;
    }

    @Override
    public Outcome transferLeadershipTo(String peer, long timeoutMs) {
        Transfer t = new Transfer(peer, timeoutMs);
        transfers.add(t);
        return transferAnswer.apply(t);
    }
}
