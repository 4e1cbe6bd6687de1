package io.vipd.daemon;

import io.vipd.cluster.OwnershipEvent;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.VipSpec;
import io.vipd.metrics.VipdMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the agent tells the outside what happened: the metrics (when {@code metrics.listen} is set) and the event
 * stream of {@code vipctl watch}. One place, so each happening is reported once, the same way to both. Called from
 * the paths that apply the log, renew the lease and let VIPs go: a failure here is logged and swallowed, never
 * passed back to them.
 */
final class Observers {
    private static final Logger LOG = LoggerFactory.getLogger(Observers.class);

    private final EventStream events;
    private volatile VipdMetrics metrics;
    /** This node's last check results, to count flips between passing and failing. */
    private Map<String, String> lastChecks = Map.of();

    Observers(LongSupplier wallMillis) {
        this.events = new EventStream(wallMillis);
    }

    EventStream events() {
        return events;
    }

    void metrics(VipdMetrics metrics) {
        this.metrics = metrics;
    }

    private void safely(String what, Runnable telling) {
        try {
            telling.run();
        } catch (RuntimeException e) {
            LOG.warn("could not report {} to metrics or watchers: {}", what, e.toString());
        }
    }

    /**
     * A log entry applied: the ownership changes it made, from the table's history. Entries replayed from this
     * node's own log at start-up ({@code replayed}) are old news: neither counted nor streamed.
     */
    void applied(VipTable before, VipTable after, boolean replayed) {
        long added = after.history().lastSeq() - before.history().lastSeq();
        if (added <= 0 || replayed) {
            return;
        }
        safely("ownership changes", () -> {
            List<OwnershipEvent> all = after.history().events();
            List<OwnershipEvent> fresh = all.subList(Math.max(0, all.size() - (int) Math.min(added, all.size())),
                    all.size());
            VipdMetrics m = metrics;
            if (m != null) {
                m.ownershipChanged(fresh);
            }
            fresh.forEach(events::ownership);
        });
    }

    void leaseLapsed(long sinceRenewalMillis) {
        safely("a lease lapse", () -> {
            VipdMetrics m = metrics;
            if (m != null) {
                m.leaseLapsed();
            }
            events.noted("lease", Map.of("state", "lapsed", "sinceRenewalMillis", sinceRenewalMillis));
        });
    }

    void renewal(boolean committed, long roundTripNanos) {
        VipdMetrics m = metrics;
        if (m != null) {
            safely("a renewal", () -> m.renewal(committed, roundTripNanos / 1e9));
        }
    }

    /** This node's check results per VIP ("" = passing), when they change (from the checkers' threads). */
    synchronized void checks(Map<String, String> results) {
        Map<String, String> before = lastChecks;
        lastChecks = Map.copyOf(results);
        safely("check results", () -> {
            VipdMetrics m = metrics;
            results.forEach((vip, why) -> {
                String was = before.get(vip);
                if (m != null && was != null && was.isEmpty() != why.isEmpty()) {
                    m.checkFlipped(vip);
                }
            });
            Map<String, Object> fields = new LinkedHashMap<>();
            results.forEach((vip, why) -> fields.put(vip, why.isEmpty() ? "ok" : why));
            events.noted("checks", Map.of("results", fields));
        });
    }

    void conflict(VipSpec spec, long epoch, String mac) {
        safely("a conflict", () -> events.noted("conflict", Map.of("vip", spec.name(), "epoch", epoch, "mac", mac)));
    }

    void membership(List<Peer> members) {
        safely("a membership", () -> events.noted("membership", Map.of("members", members.stream()
                .map(p -> p.id() + " " + p.address() + (p.witness() ? " (witness)" : p.voter() ? "" : " (listener)"))
                .toList())));
    }

    /** A host action failed (from the agent thread): counted; the actuator logs it (throttled). */
    void hostActionFailed(String action) {
        VipdMetrics m = metrics;
        if (m != null) {
            safely("a failed host action", () -> m.hostActionFailed(action));
        }
    }

    void reloaded(boolean ok) {
        safely("a reload", () -> {
            VipdMetrics m = metrics;
            if (m != null) {
                m.reloaded(ok);
            }
            events.noted("reload", Map.of("result", ok ? "ok" : "failed"));
        });
    }
}
