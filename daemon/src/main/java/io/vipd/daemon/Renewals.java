package io.vipd.daemon;

import io.vipd.cluster.RenewReply;
import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's lease renewals: one per renew interval, a bounded number in flight, none while no leader is known
 * (a storm of retries is what keeps a freshly elected leader from answering heartbeats on a busy host). A confirmed
 * renewal hands what it learned (the leader's applied index, owned VIPs, and when it was sent) to the agent thread.
 *
 * <p>A renewal is a read-only request the leader confirms without a log entry ({@link Consensus#renew}). Only a
 * node that left the group (it shut down, and the table still says so) renews once through the log: that entry
 * tells every node it is back.
 */
final class Renewals {
    private static final Logger LOG = LoggerFactory.getLogger(Renewals.class);

    /** A committed renewal: sent at {@code startNanos}, committed at {@code reply.index()}. */
    interface Committed {
        void renewed(long startNanos, RenewReply reply);
    }

    private final String self;
    private final int maxInFlight;
    private final LongSupplier nanos;
    private final Executor agentThread;
    private final Committed committed;
    private final java.util.function.Supplier<io.vipd.cluster.VipTable> table;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile String lastError = "none";
    /** Told each renewal's outcome: committed or not, and its round trip in nanoseconds (the metrics). */
    private volatile Outcome onOutcome = (committed, nanos) -> { };

    interface Outcome {
        void renewal(boolean committed, long roundTripNanos);
    }

    void onOutcome(Outcome onOutcome) {
        this.onOutcome = onOutcome;
    }

    Renewals(String self, int maxInFlight, LongSupplier nanos, Executor agentThread, Committed committed,
             java.util.function.Supplier<io.vipd.cluster.VipTable> table) {
        this.table = table;
        this.self = self;
        this.maxInFlight = maxInFlight;
        this.nanos = nanos;
        this.agentThread = agentThread;
        this.committed = committed;
    }

    /** Sends a renewal, unless too many are in flight or no leader is known. */
    void renew(Consensus cluster) {
        if (inFlight.get() >= maxInFlight || cluster.leader().isEmpty()) {
            return;
        }
        long start = nanos.getAsLong();
        inFlight.incrementAndGet();
        io.vipd.cluster.VipTable t = table.get();
        boolean back = t != null && t.left().contains(self);
        (back ? cluster.submit(new Command.Renew(self)) : cluster.renew(self)).thenAccept(outcome -> {
            inFlight.decrementAndGet();
            onOutcome.renewal(outcome.committed(), nanos.getAsLong() - start);
            if (!outcome.committed()) {
                lastError = outcome.error();
                LOG.debug("renewal failed: {}", lastError);
                return;
            }
            try {
                RenewReply reply = RenewReply.decode(outcome.reply());
                agentThread.execute(() -> committed.renewed(start, reply));
            } catch (java.io.IOException e) {
                LOG.error("malformed renewal reply: {}", e.getMessage());
            }
        });
    }

    int inFlight() {
        return inFlight.get();
    }

    String lastError() {
        return lastError;
    }
}
