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

/**
 * Where the agent tells the outside what happened: the metrics (when {@code metrics.listen} is set) and the event
 * stream of {@code vipctl watch}. One place, so each happening is reported once, the same way to both.
 */
final class Observers {
    private final EventStream events;
    private volatile VipdMetrics metrics;
    /** This node's last check results, to count flips between passing and failing. */
    private volatile Map<String, String> lastChecks = Map.of();

    Observers(LongSupplier wallMillis) {
        this.events = new EventStream(wallMillis);
    }

    EventStream events() {
        return events;
    }

    void metrics(VipdMetrics metrics) {
        this.metrics = metrics;
    }

    /** A log entry applied: the ownership changes it made, from the table's history. */
    void applied(VipTable before, VipTable after) {
        long added = after.history().lastSeq() - before.history().lastSeq();
        if (added <= 0) {
            return;
        }
        List<OwnershipEvent> all = after.history().events();
        List<OwnershipEvent> fresh = all.subList(Math.max(0, all.size() - (int) Math.min(added, all.size())),
                all.size());
        VipdMetrics m = metrics;
        if (m != null) {
            m.ownershipChanged(fresh);
        }
        fresh.forEach(events::ownership);
    }

    void leaseLapsed(long sinceRenewalMillis) {
        VipdMetrics m = metrics;
        if (m != null) {
            m.leaseLapsed();
        }
        events.noted("lease", Map.of("state", "lapsed", "sinceRenewalMillis", sinceRenewalMillis));
    }

    void renewal(boolean committed, long roundTripNanos) {
        VipdMetrics m = metrics;
        if (m != null) {
            m.renewal(committed, roundTripNanos / 1e9);
        }
    }

    /** This node's check results per VIP ("" = passing), when they change. */
    void checks(Map<String, String> results) {
        VipdMetrics m = metrics;
        Map<String, String> before = lastChecks;
        lastChecks = Map.copyOf(results);
        results.forEach((vip, why) -> {
            String was = before.get(vip);
            if (m != null && was != null && was.isEmpty() != why.isEmpty()) {
                m.checkFlipped(vip);
            }
        });
        Map<String, Object> fields = new LinkedHashMap<>();
        results.forEach((vip, why) -> fields.put(vip, why.isEmpty() ? "ok" : why));
        events.noted("checks", Map.of("results", fields));
    }

    void conflict(VipSpec spec, long epoch, String mac) {
        events.noted("conflict", Map.of("vip", spec.name(), "epoch", epoch, "mac", mac));
    }

    void membership(List<Peer> members) {
        events.noted("membership", Map.of("members", members.stream().map(p -> p.id() + " " + p.address()
                + (p.witness() ? " (witness)" : p.voter() ? "" : " (listener)")).toList()));
    }

    void reloaded(boolean ok) {
        VipdMetrics m = metrics;
        if (m != null) {
            m.reloaded(ok);
        }
        events.noted("reload", Map.of("result", ok ? "ok" : "failed"));
    }
}
