package io.vipd.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vipd.cluster.OwnershipEvent;
import io.vipd.control.StatusReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vipd's Prometheus metrics (names and units per Prometheus conventions). Gauges are read from one status report per
 * scrape, so a scrape costs one status and nothing runs between scrapes; counters and histograms count what this
 * node applied or did since it started. Thread-safe: scrapes come from the metrics server's thread, events from the
 * thread that applies log entries.
 */
public final class VipdMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(VipdMetrics.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Callable<StatusReport> status;
    /** The report of the scrape under way; callbacks read it. */
    private volatile StatusReport current;
    private final Counter ownershipChanges;
    private final Histogram handoverSeconds;
    private final Counter leasesLapsed;
    private final Histogram renewalSeconds;
    private final Counter renewalsFailed;
    private final Counter checkFlips;
    private final Counter reloads;
    private final Histogram failoverGapSeconds;
    private final Counter hostActionsFailed;
    private final Supplier<Progress> progress;
    /** The scrape's progress facts; callbacks read them. */
    private volatile Progress currentProgress;
    /** VIP → the gap of its last failover this node applied, in seconds. */
    private final Map<String, Double> lastFailoverGap = new ConcurrentHashMap<>();

    /** The host actions whose failures are counted. */
    public static final List<String> HOST_ACTIONS = List.of("address", "fence", "announce");

    /**
     * What the status report does not carry: this node's commit index, the followers' lag (leader only) and this
     * node's lease.
     *
     * @param followerLagEntries leader only: each follower → entries committed that it does not hold yet
     * @param leaseRemainingMs   left on this node's lease; negative when it has none
     */
    public record Progress(long commitIndex, Map<String, Long> followerLagEntries, long leaseRemainingMs) {
        public static final Progress UNKNOWN = new Progress(-1, Map.of(), -1);
    }

    private final java.util.function.LongSupplier nanos;
    /** VIP → when this node applied the start of its handover under way (monotonic), to time it. */
    private final java.util.Map<String, Long> handoverStarted = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param status this node's status, as {@code vipctl status} shows it */
    public VipdMetrics(Callable<StatusReport> status) {
        this(status, () -> Progress.UNKNOWN, System::nanoTime);
    }

    /**
     * @param progress this node's commit index, followers' lag and lease, read once per scrape
     * @param nanos    the monotonic clock handovers are timed with
     */
    public VipdMetrics(Callable<StatusReport> status, Supplier<Progress> progress,
                       java.util.function.LongSupplier nanos) {
        this.status = status;
        this.progress = progress;
        this.nanos = nanos;
        GaugeWithCallback.builder().name("vipd_node_info").help("This node: its id and cluster (always 1).")
                .labelNames("node", "cluster")
                .callback(cb -> withReport(r -> cb.call(1, r.node(), r.cluster()))).register(registry);
        GaugeWithCallback.builder().name("vipd_raft_leader").help("1 if this node is the Raft leader, else 0.")
                .callback(cb -> withReport(r -> cb.call("LEADER".equals(r.role()) ? 1 : 0))).register(registry);
        GaugeWithCallback.builder().name("vipd_raft_role")
                .help("1 for this node's Raft role (LEADER, FOLLOWER, CANDIDATE, LISTENER...).").labelNames("role")
                .callback(cb -> withReport(r -> cb.call(1, String.valueOf(r.role())))).register(registry);
        GaugeWithCallback.builder().name("vipd_raft_term").help("The Raft term this node is in.")
                .callback(cb -> withReport(r -> cb.call(r.term()))).register(registry);
        GaugeWithCallback.builder().name("vipd_raft_applied_index").help("The last log index this node applied.")
                .callback(cb -> withReport(r -> cb.call(r.appliedIndex()))).register(registry);
        GaugeWithCallback.builder().name("vipd_raft_commit_index")
                .help("The last log index this node knows to be committed.")
                .callback(cb -> withProgress(p -> {
                    if (p.commitIndex() >= 0) {
                        cb.call(p.commitIndex());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("vipd_raft_follower_lag_entries")
                .help("On the leader: committed log entries each follower does not hold yet. Absent elsewhere.")
                .labelNames("member").callback(cb -> withProgress(p -> p.followerLagEntries().forEach((f, lag) ->
                        cb.call(lag, f)))).register(registry);
        GaugeWithCallback.builder().name("vipd_member_reachable")
                .help("1 if the member's renewals are confirmed by the leader (as this node knows), else 0.")
                .labelNames("member").callback(cb -> withReport(r -> r.nodes().forEach(n ->
                        cb.call(n.reachable() ? 1 : 0, n.id())))).register(registry);
        GaugeWithCallback.builder().name("vipd_member_drained").help("1 if the member is drained, else 0.")
                .labelNames("member").callback(cb -> withReport(r -> r.nodes().forEach(n ->
                        cb.call(n.drained() ? 1 : 0, n.id())))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_owner")
                .help("1 for the VIP's owner in the replicated table; a VIP without owner has owner=\"\".")
                .labelNames("vip", "owner").callback(cb -> withReport(r -> r.vips().forEach(v ->
                        cb.call(1, v.name(), v.owner() == null ? "" : v.owner())))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_held")
                .help("1 if this node carries the VIP's address and answers for it now, else 0.")
                .labelNames("vip").callback(cb -> withReport(r -> r.vips().forEach(v ->
                        cb.call(v.heldHere() ? 1 : 0, v.name())))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_epoch").help("The VIP's epoch: one more for every owner change.")
                .labelNames("vip").callback(cb -> withReport(r -> r.vips().forEach(v ->
                        cb.call(v.epoch(), v.name())))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_conflicts")
                .help("MACs other than the owner's heard answering for the VIP now.")
                .labelNames("vip").callback(cb -> withReport(r -> r.vips().forEach(v ->
                        cb.call(v.conflicts() == null ? 0 : v.conflicts().size(), v.name())))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_since_renewal_seconds").unit(Unit.SECONDS)
                .help("On the VIP's holder: since the start of its newest confirmed renewal (the lease runs from "
                        + "there). Absent elsewhere.")
                .labelNames("vip").callback(cb -> withReport(r -> r.vips().forEach(v -> {
                    if (v.heldHere() && v.sinceRenewalMs() >= 0) {
                        cb.call(v.sinceRenewalMs() / 1000.0, v.name());
                    }
                }))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_lease_remaining_seconds").unit(Unit.SECONDS)
                .help("On the VIP's holder: left on the lease it holds the VIP under (the node's lease); at 0 the "
                        + "kernel fence closes. Absent elsewhere.")
                .labelNames("vip").callback(cb -> withReport(r -> withProgress(p -> r.vips().forEach(v -> {
                    if (v.heldHere() && p.leaseRemainingMs() >= 0) {
                        cb.call(p.leaseRemainingMs() / 1000.0, v.name());
                    }
                })))).register(registry);
        GaugeWithCallback.builder().name("vipd_vip_last_failover_gap_seconds").unit(Unit.SECONDS)
                .help("The VIP's last failover this node applied since it started: how long the previous owner "
                        + "had gone without a renewal when the new owner was chosen.")
                .labelNames("vip").callback(cb -> lastFailoverGap.forEach((vip, gap) -> cb.call(gap, vip)))
                .register(registry);
        GaugeWithCallback.builder().name("vipd_vip_check_passing")
                .help("For a VIP with health checks: 1 if they pass on the node, 0 if not (as the node reported).")
                .labelNames("vip", "node").callback(cb -> withReport(r -> r.vips().forEach(v -> {
                    if (v.health() != null) {
                        v.health().forEach((node, result) -> cb.call("ok".equals(result) ? 1 : 0, v.name(), node));
                    }
                }))).register(registry);
        renewalSeconds = Histogram.builder().name("vipd_renewal_round_trip_seconds").unit(Unit.SECONDS)
                .help("From sending a lease renewal to the leader's confirmation (committed renewals).")
                .classicOnly().classicUpperBounds(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
                .register(registry);
        renewalsFailed = Counter.builder().name("vipd_renewals_failed_total")
                .help("Lease renewals not confirmed (no leader, timeout, refused).").register(registry);
        checkFlips = Counter.builder().name("vipd_check_flips_total")
                .help("Times this node's checks for a VIP went from passing to failing or back.").labelNames("vip")
                .register(registry);
        ownershipChanges = Counter.builder().name("vipd_ownership_changes_total")
                .help("Ownership changes applied by this node since it started, by VIP and kind (placed, failover, "
                        + "handover, handed over, released).")
                .labelNames("vip", "change").register(registry);
        handoverSeconds = Histogram.builder().name("vipd_handover_duration_seconds").unit(Unit.SECONDS)
                .help("From a handover's start to the previous owner letting go (the new owner answers right "
                        + "after), as this node applied both.")
                .classicOnly().classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5).register(registry);
        failoverGapSeconds = Histogram.builder().name("vipd_failover_gap_seconds").unit(Unit.SECONDS)
                .help("Failovers applied by this node: how long the previous owner had gone without a renewal "
                        + "when the new owner was chosen (clients had no answer for about that long).")
                .classicOnly().classicUpperBounds(0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10).register(registry);
        hostActionsFailed = Counter.builder().name("vipd_host_actions_failed_total")
                .help("Actions on this host that failed, by kind: address (netlink add, refresh or remove), fence "
                        + "(nftables), announce (gratuitous ARP or neighbour advertisement).")
                .labelNames("action").register(registry);
        HOST_ACTIONS.forEach(hostActionsFailed::labelValues);
        leasesLapsed = Counter.builder().name("vipd_leases_lapsed_total")
                .help("Times this node's lease lapsed (no renewal confirmed in time) and it released its VIPs.")
                .register(registry);
        reloads = Counter.builder().name("vipd_config_reloads_total")
                .help("Configuration reloads on this node, by result (ok, failed).").labelNames("result")
                .register(registry);
        reloads.labelValues("ok");
        reloads.labelValues("failed");
        JvmMetrics.builder().register(registry);
    }

    private void withProgress(java.util.function.Consumer<Progress> use) {
        Progress p = currentProgress;
        if (p != null) {
            use.accept(p);
        }
    }

    private void withReport(java.util.function.Consumer<StatusReport> use) {
        StatusReport r = current;
        if (r != null) {
            use.accept(r);
        }
    }

    /**
     * Ownership changes this node just applied (in log order). A handover is timed between applying its start and
     * its end, on this node's monotonic clock: the log carries no time of the release.
     */
    public void ownershipChanged(List<OwnershipEvent> events) {
        long now = nanos.getAsLong();
        for (OwnershipEvent e : events) {
            ownershipChanges.labelValues(e.vip(), e.change()).inc();
            long silent = e.silentMillis();
            if (silent >= 0) {
                failoverGapSeconds.observe(silent / 1000.0);
                lastFailoverGap.put(e.vip(), silent / 1000.0);
            }
            if (OwnershipEvent.HANDOVER.equals(e.change())) {
                handoverStarted.put(e.vip(), now);
            } else {
                Long started = handoverStarted.remove(e.vip());
                if (started != null && OwnershipEvent.HANDED_OVER.equals(e.change())) {
                    handoverSeconds.observe((now - started) / 1e9);
                }
            }
        }
    }

    public void renewal(boolean committed, double seconds) {
        if (committed) {
            renewalSeconds.observe(seconds);
        } else {
            renewalsFailed.inc();
        }
    }

    public void checkFlipped(String vip) {
        checkFlips.labelValues(vip).inc();
    }

    public void leaseLapsed() {
        leasesLapsed.inc();
    }

    /** A host action failed: one of {@link #HOST_ACTIONS}. */
    public void hostActionFailed(String action) {
        hostActionsFailed.labelValues(action).inc();
    }

    public void reloaded(boolean ok) {
        reloads.labelValues(ok ? "ok" : "failed").inc();
    }

    /**
     * Every metric in the Prometheus text format. Scrapes are serialized: each reads one status report, which the
     * gauges then share.
     */
    public synchronized byte[] scrape() throws IOException {
        try {
            current = status.call();
        } catch (Exception e) {
            current = null; // the node's own gauges are left out; the counters and JVM metrics still answer
            LOG.debug("metrics scrape without status: {}", e.toString());
        }
        try {
            currentProgress = progress.get();
        } catch (RuntimeException e) {
            currentProgress = null;
            LOG.debug("metrics scrape without Raft progress: {}", e.toString());
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toByteArray();
        } finally {
            current = null;
            currentProgress = null;
        }
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
