package io.vipd.health;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vipd.config.CheckSpec;
import io.vipd.config.VipSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's health checks and turns them into one result per VIP that has checks: "" when all its checks
 * pass, else why the first failing one fails. A check runs every interval (never overlapping itself) on one Netty
 * event loop; a check passes or fails after {@code rise} / {@code fall} results in a row, except its first result,
 * which counts at once (a node that just started should not wait rise × interval to be eligible). A VIP is
 * reported only once all its checks have a result.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** One check's state; touched on the event loop only. */
    static final class CheckState {
        final CheckSpec spec;
        Boolean passing;   // null until the first result
        int streak;        // results in a row that disagree with `passing`
        String lastFailure;
        int failuresInRow;

        CheckState(CheckSpec spec) {
            this.spec = spec;
        }

        /** Feeds one probe result (null = success); returns true if the check's state changed. */
        boolean record(String failure) {
            boolean ok = failure == null;
            failuresInRow = ok ? 0 : failuresInRow + 1;
            if (!ok) {
                lastFailure = failure;
            }
            if (passing == null) {
                passing = ok;
                streak = 0;
                return true;
            }
            if (ok == passing) {
                streak = 0;
                return false;
            }
            streak++;
            if (streak >= (ok ? spec.rise() : spec.fall())) {
                passing = ok;
                streak = 0;
                return true;
            }
            return false;
        }

        String describeFailure() {
            return spec.name() + " (" + spec.describe() + "): " + lastFailure + " (" + failuresInRow + " in a row)";
        }
    }

    private final Map<String, CheckState> checks = new TreeMap<>();
    private final List<VipSpec> vips;
    private final Consumer<Map<String, String>> listener;
    private final EventLoopGroup group;
    private volatile boolean closed;
    private Map<String, String> lastReport;

    /**
     * @param listener called (on the monitor's thread) with the per-VIP results whenever they change
     */
    /** The checks {@code config} defines for this node; none on a witness, which never holds the VIPs they guard. */
    public static HealthMonitor of(io.vipd.config.VipdConfig config, Consumer<Map<String, String>> listener) {
        return config.self().witness() ? new HealthMonitor(Map.of(), List.of(), listener)
                : new HealthMonitor(config.checks(), config.vips(), listener);
    }

    public HealthMonitor(Map<String, CheckSpec> specs, List<VipSpec> vips, Consumer<Map<String, String>> listener) {
        this.vips = List.copyOf(vips);
        this.listener = listener;
        for (VipSpec v : vips) {
            for (String c : v.checks()) {
                checks.computeIfAbsent(c, n -> new CheckState(specs.get(n)));
            }
        }
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "vipd-health");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
    }

    public boolean hasChecks() {
        return !checks.isEmpty();
    }

    public void start() {
        for (CheckState c : checks.values()) {
            group.next().execute(() -> runOnce(c));
        }
    }

    private void runOnce(CheckState c) {
        if (closed) {
            return;
        }
        java.util.concurrent.CompletableFuture<String> probe;
        try {
            probe = Probes.run(c.spec, group);
        } catch (RuntimeException e) {
            probe = java.util.concurrent.CompletableFuture.completedFuture("probe failed: " + e);
        }
        probe.whenComplete((failure, error) -> group.next().execute(() -> {
            if (closed) {
                return;
            }
            String f = error != null ? "probe failed: " + error : failure;
            Boolean before = c.passing;
            if (c.record(f)) {
                if (c.passing) {
                    LOG.info("check {} ({}) passes{}", c.spec.name(), c.spec.describe(),
                            before == null ? "" : " again");
                } else {
                    LOG.warn("check {} fails: {}", c.spec.name(), c.describeFailure());
                }
                report(); // only on changes: each report is an entry in the replicated log
            }
            group.next().schedule(() -> runOnce(c), c.spec.intervalMs(), TimeUnit.MILLISECONDS);
        }));
    }

    /** The per-VIP results now (VIPs whose checks have not all run yet are left out). */
    Map<String, String> results() {
        Map<String, String> out = new TreeMap<>();
        for (VipSpec v : vips) {
            if (v.checks().isEmpty()) {
                continue;
            }
            String failure = "";
            boolean complete = true;
            for (String name : v.checks()) {
                CheckState c = checks.get(name);
                if (c.passing == null) {
                    complete = false;
                    break;
                }
                if (!c.passing && failure.isEmpty()) {
                    failure = c.describeFailure();
                }
            }
            if (complete) {
                out.put(v.name(), failure);
            }
        }
        return out;
    }

    private void report() {
        Map<String, String> now = results();
        if (!now.equals(lastReport)) {
            lastReport = now;
            listener.accept(now);
        }
    }

    @Override
    public void close() {
        closed = true;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
