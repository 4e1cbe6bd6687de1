package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Keeps the group's record of this node equal to the node: the VIPs its configuration defines (address/prefix),
 * its health-check results, and what it observes (interfaces, conflicts: {@link io.vipd.cluster.NodeFacts}). Re-submitted each reconciliation until the applied table shows them, one at a time; not
 * while no leader is known. Also says when a VIP's checks start failing here (the FAULT hook). Agent thread.
 */
final class Reports {
    private final Supplier<VipdConfig> config;
    private final Executor agentThread;
    /** This node's health-check results (VIP → "" or the failure); null until the checks first ran. */
    private Map<String, String> localHealth;
    private boolean healthInFlight;
    private boolean definitionsInFlight;
    private boolean observedInFlight;
    private VipdConfig definedBy;
    private final Map<String, Object[]> equalPairs = new java.util.HashMap<>();
    private Map<String, String> definitions;
    /** What this node observes, or null when it does not watch its host (the simulation). */
    private volatile Supplier<Map<String, String>> observations;
    private volatile BiConsumer<VipSpec, Long> faultListener = (spec, epoch) -> { };

    Reports(Supplier<VipdConfig> config, Executor agentThread) {
        this.config = config;
        this.agentThread = agentThread;
    }

    void observations(Supplier<Map<String, String>> observations) {
        this.observations = observations;
    }

    void onFault(BiConsumer<VipSpec, Long> listener) {
        this.faultListener = listener;
    }

    /** New local results: tells the fault listener about checks that started failing (epoch from {@code table}). */
    void healthChanged(Map<String, String> results, VipTable table) {
        for (Map.Entry<String, String> e : results.entrySet()) {
            String before = localHealth == null ? null : localHealth.get(e.getKey());
            if (!e.getValue().isEmpty() && (before == null || before.isEmpty())) {
                config.get().vip(e.getKey()).ifPresent(spec -> faultListener.accept(spec,
                        table == null ? 0 : table.vip(spec.name()).epoch()));
            }
        }
        localHealth = Map.copyOf(results);
    }

    /**
     * Whether the group's record {@code theirs} equals this node's {@code mine}. The same two maps compare equal
     * again without a walk: this runs on every tick, with maps of a thousand VIPs, and both sides are immutable.
     */
    private boolean recorded(String what, Map<String, String> mine, Map<String, String> theirs) {
        Object[] last = equalPairs.get(what);
        if (last != null && last[0] == mine && last[1] == theirs) {
            return true;
        }
        boolean equal = mine.equals(theirs);
        if (equal) {
            equalPairs.put(what, new Object[] {mine, theirs});
        }
        return equal;
    }

    /** VIP → address/prefix of {@code c}, computed once per configuration (it runs every reconciliation). */
    private Map<String, String> definitions(VipdConfig c) {
        if (c != definedBy) {
            Map<String, String> defs = new TreeMap<>();
            c.vips().forEach(v -> defs.put(v.name(), v.cidr()));
            definitions = defs;
            definedBy = c;
        }
        return definitions;
    }

    /** Submits what the group's record of this node lacks. */
    void report(Consensus cluster, VipTable table, boolean leaderKnown) {
        if (!leaderKnown) {
            return;
        }
        VipdConfig c = config.get();
        Map<String, String> defs = definitions(c);
        if (!definitionsInFlight && !recorded("definitions", defs, table.definitionsOf(c.nodeId()))) {
            definitionsInFlight = true;
            cluster.submit(new Command.Definitions(c.nodeId(), defs)).thenAccept(
                    outcome -> agentThread.execute(() -> definitionsInFlight = false));
        }
        Supplier<Map<String, String>> observed = observations;
        if (observed != null && !observedInFlight) {
            Map<String, String> facts = observed.get();
            if (!recorded("observed", facts, table.observedBy(c.nodeId()))) {
                observedInFlight = true;
                cluster.submit(new Command.Observed(c.nodeId(), facts)).thenAccept(
                        outcome -> agentThread.execute(() -> observedInFlight = false));
            }
        }
        if (localHealth != null && !healthInFlight && !recorded("health", localHealth, table.healthOf(c.nodeId()))) {
            healthInFlight = true;
            cluster.submit(new Command.Health(c.nodeId(), localHealth)).thenAccept(
                    outcome -> agentThread.execute(() -> healthInFlight = false));
        }
    }
}
