package io.vipd.daemon;

import io.vipd.cluster.Consensus;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipStateMachine;
import io.vipd.config.Timing;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the host in line with what the lease allows, each round: the lease first catches up with the applied
 * table; the host then carries exactly the VIPs the lease lets it hold, its fence open until the lease's deadline;
 * then handovers away from this node are confirmed and the group's record of this node is brought up to date.
 */
final class HostReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(HostReconciler.class);

    private final String self;
    private final OwnerLease lease;
    private final HostActuator host;
    private final Handovers handovers;
    private final Reports reports;
    private final Renewals renewals;
    private final LongSupplier nanos;
    private final long minimumBindLeaseMs;
    private final long withholdAtMostNanos;
    /** VIPs this host may hold but has not bound yet for want of lease, since when. */
    private final Map<String, Long> withheldSinceNanos = new TreeMap<>();
    private boolean leaseWasValid;
    private boolean leaseLapsedOnce;

    /** The names of the VIPs always on one host with a VIP (its group), or the VIP alone. */
    private final java.util.function.Function<String, java.util.List<String>> groupOf;

    HostReconciler(String self, OwnerLease lease, HostActuator host, Handovers handovers, Reports reports,
                   Renewals renewals, LongSupplier nanos, Timing timing) {
        this(self, lease, host, handovers, reports, renewals, nanos, timing, java.util.List::of);
    }

    HostReconciler(String self, OwnerLease lease, HostActuator host, Handovers handovers, Reports reports,
                   Renewals renewals, LongSupplier nanos, Timing timing,
                   java.util.function.Function<String, java.util.List<String>> groupOf) {
        this.groupOf = groupOf;
        this.self = self;
        this.lease = lease;
        this.host = host;
        this.handovers = handovers;
        this.reports = reports;
        this.renewals = renewals;
        this.nanos = nanos;
        this.minimumBindLeaseMs = timing.minimumBindLeaseMs();
        this.withholdAtMostNanos = timing.leaseMs() * 1_000_000L;
    }

    /** Told when this node's lease lapses, with the milliseconds since its last confirmed renewal. */
    private volatile java.util.function.LongConsumer onLapse = ms -> { };

    void onLeaseLapse(java.util.function.LongConsumer onLapse) {
        this.onLapse = onLapse;
    }

    void reconcile(Consensus cluster, VipStateMachine.View view) {
        // The lease's view first catches up with the applied table, so a handover confirmed below can never be
        // undone by an older renewal reply: the lease only ever moves to higher log indexes.
        lease.observe(view.index(), view.table().ownedBy(self));
        long now = nanos.getAsLong();
        boolean valid = lease.valid(now);
        if (leaseWasValid && !valid) {
            LOG.warn("lease lapsed: no renewal confirmed for {} ms ({} in flight; last error: {}); this node's VIPs "
                    + "are released until a renewal is confirmed again, which needs a Raft leader in touch with a "
                    + "majority of the members: without one, no host answers rather than two",
                    lease.sinceRenewalMillis(now), renewals.inFlight(), renewals.lastError());
        } else if (!leaseWasValid && valid && leaseLapsedOnce) {
            LOG.info("lease confirmed again ({} ms left)", lease.remainingMillis(now));
        }
        boolean lapsed = leaseWasValid && !valid;
        leaseLapsedOnce |= lapsed;
        leaseWasValid = valid;
        host.sync(bindable(wholeGroups(lease.holdable(now)), lease.remainingMillis(now), now), lease.deadlineNanos(),
                now);
        if (lapsed) {
            onLapse.accept(lease.sinceRenewalMillis(now)); // after the host let go: telling cannot hold that up
        }
        handovers.confirm(cluster, view.table(), host.carried());
        reports.report(cluster, view.table(), cluster.leader().isPresent());
    }

    /**
     * A group arrives whole: a member this host does not carry yet waits until it may hold every member of the
     * group (in a handover, until the previous owner has let go of all of them), so clients never find a group
     * split between two hosts. Members it carries already stay.
     */
    private Map<String, Long> wholeGroups(Map<String, Long> holdable) {
        java.util.Set<String> carried = host.carried();
        Map<String, Long> out = null;
        for (String name : holdable.keySet()) {
            if (carried.contains(name)) {
                continue;
            }
            java.util.List<String> group = groupOf.apply(name);
            if (group.size() > 1 && !holdable.keySet().containsAll(group)) {
                if (out == null) {
                    out = new TreeMap<>(holdable);
                }
                out.remove(name);
            }
        }
        return out == null ? holdable : out;
    }

    /**
     * What the host may carry: all it may hold, except that a VIP it does not carry yet waits for a lease with
     * {@link Timing#minimumBindLeaseMs} left; the next renewal brings one within moments on a working network. It
     * waits one lease at most: on a network whose commits always take most of the lease, a short hold now and
     * then is better than never answering.
     */
    private Map<String, Long> bindable(Map<String, Long> holdable, long remainingMs, long now) {
        java.util.Set<String> carried = host.carried();
        withheldSinceNanos.keySet().removeIf(name -> !holdable.containsKey(name) || carried.contains(name));
        if (holdable.isEmpty() || remainingMs >= minimumBindLeaseMs) {
            withheldSinceNanos.clear();
            return holdable;
        }
        Map<String, Long> bindable = new TreeMap<>(holdable);
        bindable.keySet().removeIf(name -> !carried.contains(name)
                && now - withheldSinceNanos.computeIfAbsent(name, n -> now) < withholdAtMostNanos);
        return bindable;
    }
}
