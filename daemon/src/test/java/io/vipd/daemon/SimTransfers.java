package io.vipd.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.vipd.cluster.Consensus.Outcome;
import io.vipd.daemon.SimulatedCluster.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Marker;

/**
 * Leadership transfers in the compact Raft of {@link SimulatedCluster}, as Ratis 3.3 makes them (opt-in, with
 * {@link SimulatedCluster#modelRatis33}): the request goes to the leader; the leader waits (up to the timeout)
 * until the target holds its whole log, then tells it to stand at once; the target campaigns for the next term and,
 * holding the most recent log, wins. Not modelled: Ratis's leader also refuses new writes while a transfer is under
 * way (here they are taken, so the target may need another round to catch up), and priorities.
 *
 * <p>The daemon asks for a hand-off off its agent thread ({@link LaggingFollowers#handLeadershipTo}), which in a
 * single-threaded simulation would land at an arbitrary event. So each role that may hand off runs inside
 * {@link #around}: the hand-off warning the role logs just before it asks (caught by a logback turbo filter, on this
 * thread, whatever the log level) says a request is coming, and the simulation waits for it before it moves on. A
 * run is as deterministic as any other. (Should those warnings change wording, hand-offs would land at arbitrary
 * events again; the RATIS-2605 test, which asserts that the watchdog asked, would notice.)
 */
final class SimTransfers {
    /** From the node asking (the daemon's {@code transferLeadershipTo}) to its leader. */
    record TransferRequest(String target, long timeoutMs, long requestId) {}

    /** From the leader to the node that asked; error null: the target was told to stand. */
    record TransferAnswer(long requestId, String error) {}

    /** From the leader to the target (Ratis's StartLeaderElection): stand now, if your log holds mine. */
    record StartElection(long term, long lastIndex, long lastTerm) {}

    /** A hand-off the daemon asked for, on its own thread, waiting for the simulation to take it in. */
    private record Handoff(int node, String target, long timeoutMs, CompletableFuture<Outcome> outcome) {}

    /** A transfer a leader is carrying out: for whom, to whom, until when (leader's clock), in which term. */
    private record Pending(int origin, long requestId, int target, long deadline, long term) {}

    /** Something a test can assert on: who asked (the role that logged it), when, and what came of it. */
    record Event(long at, String what) {}

    private static final ThreadLocal<SimTransfers> CAPTURING = new ThreadLocal<>();
    private static final TurboFilter ANNOUNCEMENTS = new TurboFilter() {
        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                  Throwable t) {
            SimTransfers capturing = CAPTURING.get();
            if (capturing != null && level == Level.WARN && format != null && format.contains("leadership to")
                    && (logger.getName().equals(ReplicationWatchdog.class.getName())
                    || logger.getName().equals(LaggingFollowers.class.getName()))) {
                capturing.announced.add(logger.getName().substring(logger.getName().lastIndexOf('.') + 1));
            }
            return FilterReply.NEUTRAL;
        }
    };

    private final SimulatedCluster sim;
    private final BlockingQueue<Handoff> requests = new LinkedBlockingQueue<>();
    /** Outcomes awaited by the daemon, by asking node and its request id. */
    private final Map<String, CompletableFuture<Outcome>> awaited = new HashMap<>();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final List<String> announced = new ArrayList<>();
    final List<Event> events = new ArrayList<>();

    SimTransfers(SimulatedCluster sim) {
        this.sim = sim;
        installFilter();
    }

    private void note(String what) {
        events.add(new Event(sim.now, what));
        sim.trace(what);
    }

    /** Runs {@code role} on {@code node}, then takes in each hand-off it asked for (see the class comment). */
    void around(Node node, Runnable role) {
        announced.clear();
        CAPTURING.set(this);
        try {
            role.run();
        } finally {
            CAPTURING.remove();
        }
        for (String who : List.copyOf(announced)) {
            Handoff h;
            try {
                h = requests.poll(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (h == null || h.node() != node.id) {
                sim.violations.add("a hand-off " + who + " on " + node.name + " logged was not asked for: " + h);
                continue;
            }
            note(node.name + " asks for a hand-off to " + h.target() + " (" + who + ")");
            start(node, h);
        }
        announced.clear();
    }

    /** The daemon's {@code transferLeadershipTo} on node {@code node}: off the simulation's thread, blocking. */
    Outcome request(int node, String target, long timeoutMs) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        requests.add(new Handoff(node, target, timeoutMs, outcome));
        try {
            return outcome.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Outcome.failed("no answer from the simulation: " + e);
        }
    }

    private void start(Node x, Handoff h) {
        if (!x.up || (!x.leader && x.leaderId < 0)) {
            h.outcome().complete(Outcome.failed("no leader"));
            return;
        }
        long rid = ++x.requestIds;
        String key = x.id + "/" + rid;
        awaited.put(key, h.outcome());
        TransferRequest r = new TransferRequest(h.target(), h.timeoutMs(), rid);
        if (x.leader) {
            onRequest(x, x.id, r);
        } else {
            sim.send(x.id, x.leaderId, r);
        }
        // No answer (lost, or the leader gave up silently): the caller's wait ends, as Ratis's client call does.
        sim.at(x.after(h.timeoutMs() * SimulatedCluster.MS + 100 * SimulatedCluster.MS), () -> {
            CompletableFuture<Outcome> f = awaited.remove(key);
            if (f != null) {
                f.complete(Outcome.failed("timeout"));
            }
        });
    }

    /** Messages of the transfer protocol; false for any other message. */
    boolean receive(Node node, int from, Object m) {
        if (m instanceof TransferRequest r) {
            onRequest(node, from, r);
        } else if (m instanceof TransferAnswer a) {
            CompletableFuture<Outcome> f = awaited.remove(node.id + "/" + a.requestId());
            if (f != null) {
                f.complete(a.error() == null ? new Outcome(true, new byte[0], null) : Outcome.failed(a.error()));
            }
        } else if (m instanceof StartElection s) {
            boolean holdsLeadersLog = node.lastIndex() >= s.lastIndex() && node.termAt(s.lastIndex()) == s.lastTerm();
            if (!node.leader && !node.candidate && node.term == s.term() && node.leaderId == from && holdsLeadersLog
                    && node.isVoter(node.id)) {
                note(node.name + " stands for term " + (node.term + 1) + " as " + SimulatedCluster.name(from)
                        + " asked");
                node.campaign();
            } else {
                note(node.name + " does not stand: it is not a follower of " + SimulatedCluster.name(from)
                        + " in term " + s.term() + " holding its log");
            }
        } else {
            return false;
        }
        return true;
    }

    private void onRequest(Node l, int origin, TransferRequest r) {
        int target = Integer.parseInt(r.target().substring(1)) - 1;
        if (!l.leader || target == l.id || !l.isVoter(target)) { // the last: Ratis hands leadership to voters only
            answer(l, origin, r.requestId(), !l.leader ? l.name + " is not the leader"
                    : target == l.id ? null : r.target() + " is not a voter");
            return;
        }
        pending.put(l.id, new Pending(origin, r.requestId(), target, l.local() + r.timeoutMs() * SimulatedCluster.MS,
                l.term));
        leaderTick(l);
    }

    /** On the leader, every heartbeat round: tell the target to stand once it holds the whole log, or give up. */
    void leaderTick(Node l) {
        Pending p = pending.get(l.id);
        if (p == null) {
            return;
        }
        if (!l.leader || l.term != p.term()) {
            pending.remove(l.id);
            answer(l, p.origin(), p.requestId(), l.name + " lost the leadership meanwhile");
        } else if (l.match[p.target()] == l.lastIndex()) {
            pending.remove(l.id);
            note(l.name + " tells " + SimulatedCluster.name(p.target()) + " to stand (it holds #" + l.lastIndex()
                    + ")");
            sim.send(l.id, p.target(), new StartElection(l.term, l.lastIndex(), l.termAt(l.lastIndex())));
            answer(l, p.origin(), p.requestId(), null);
        } else if (l.local() >= p.deadline()) {
            pending.remove(l.id);
            note(l.name + " gives up the hand-off to " + SimulatedCluster.name(p.target()) + ": it did not catch up");
            answer(l, p.origin(), p.requestId(), "timed out");
        }
    }

    private void answer(Node l, int origin, long requestId, String error) {
        if (origin == l.id) {
            receive(l, l.id, new TransferAnswer(requestId, error));
        } else {
            sim.send(l.id, origin, new TransferAnswer(requestId, error));
        }
    }

    /**
     * Installs {@link #ANNOUNCEMENTS}, once per logging context (again if the context was reset): it catches the
     * daemon's hand-off warnings (ReplicationWatchdog's, LaggingFollowers') on a thread that runs a role inside
     * {@link #around}, whether or not the log level lets them through, and never changes what is logged.
     */
    private static synchronized void installFilter() {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        if (!context.getTurboFilterList().contains(ANNOUNCEMENTS)) {
            ANNOUNCEMENTS.start();
            context.addTurboFilter(ANNOUNCEMENTS);
        }
    }
}
