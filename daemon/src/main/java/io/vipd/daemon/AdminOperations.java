package io.vipd.daemon;

import io.vipd.cluster.Assigner;
import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.Caller;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's commands from the control socket: move a VIP, drain or undrain a node, make this node the Raft
 * leader. Each is checked first on the agent thread, against the same table the agent acts on, so an impossible
 * request is refused with its reason; then submitted, and its effect awaited (bounded).
 */
final class AdminOperations {
    private static final Logger LOG = LoggerFactory.getLogger(AdminOperations.class);

    /** Why a node may not receive VIPs now, or null. */
    interface Eligibility {
        String whyNot(String node, long nowNanos);
    }

    private final Supplier<VipdConfig> config;
    private final Supplier<Consensus> cluster;
    private final Supplier<VipTable> table;
    private final Eligibility eligibility;
    private final ExecutorService agentThread;
    private final LongSupplier nanos;
    private final LongSupplier wallMillis;
    private final Pause pause;

    AdminOperations(Supplier<VipdConfig> config, Supplier<Consensus> cluster, Supplier<VipTable> table,
                    Eligibility eligibility, ExecutorService agentThread, LongSupplier nanos, LongSupplier wallMillis,
                    Pause pause) {
        this.config = config;
        this.cluster = cluster;
        this.table = table;
        this.eligibility = eligibility;
        this.agentThread = agentThread;
        this.nanos = nanos;
        this.wallMillis = wallMillis;
        this.pause = pause;
    }

    private static String name(String owner) {
        return owner == null ? "(none)" : owner;
    }

    /**
     * {@code vipctl move VIP NODE}: a handover of {@code vip} to {@code target} (the current owner lets go, then
     * the target answers). Checked here first so an impossible move is refused with its reason.
     */
    String move(Caller caller, String vip, String target) throws Exception {
        LOG.info("move {} to {} requested by {}", vip, target, caller.describe());
        Command assign = agentThread.submit(() -> {
            VipSpec spec = config.get().vip(vip).orElseThrow(() -> new IllegalArgumentException("unknown VIP '" + vip
                    + "' (configured: " + String.join(", ", config.get().vips().stream().map(VipSpec::name).toList())
                    + ")"));
            if (config.get().peer(target).isEmpty()) {
                throw new IllegalArgumentException("unknown node '" + target + "' (members: " + String.join(", ",
                        config.get().peers().stream().map(Peer::id).toList()) + ")");
            }
            VipTable t = table.get();
            VipState state = t.vip(vip);
            if (target.equals(state.holder())) {
                throw new IllegalArgumentException(vip + " is already on " + target);
            }
            if (target.equals(state.owner())) {
                // a second Move would bump the epoch and restart the handover it is waiting for
                throw new IllegalArgumentException(vip + " is already moving to " + target + " (waiting for "
                        + name(state.releasing()) + " to let go, at most the failover timeout)");
            }
            if (t.drained().contains(target)) {
                throw new IllegalArgumentException(target + " is drained (vipctl undrain " + target + " first)");
            }
            String ineligible = eligibility.whyNot(target, nanos.getAsLong());
            if (ineligible != null) {
                throw new IllegalArgumentException(target + " may not receive VIPs yet: " + ineligible);
            }
            List<String> group = config.get().groupOf(vip);
            for (String member : group) {
                String sick = Assigner.unhealthyReason(t, config.get().vip(member).orElseThrow(), target);
                if (sick != null) {
                    throw new IllegalArgumentException(target + " fails " + member + "'s checks: " + sick
                            + (member.equals(vip) ? "" : " (" + member + " is in " + vip + "'s group, which moves "
                                    + "as one)"));
                }
            }
            if (group.size() > 1) {
                // the whole group, in one entry that applies all or none: it is never split
                List<Command.Assign> all = new java.util.ArrayList<>();
                for (String member : group) {
                    VipState s = t.vip(member);
                    if (!target.equals(s.owner()) || s.releasing() != null) {
                        all.add(new Command.Move(member, s.epoch(), target, wallMillis.getAsLong(),
                                config.get().nodeId(), caller.who()).asAssign());
                    }
                }
                return new Command.Together(all, config.get().nodeId(), caller.who());
            }
            return new Command.Move(vip, state.epoch(), target, wallMillis.getAsLong(), config.get().nodeId(),
                    caller.who());
        }).get(2, TimeUnit.SECONDS);
        List<String> moving = config.get().groupOf(vip);
        String from = table.get().vip(vip).owner();
        Consensus.Outcome reply = cluster.get().submit(assign).get(5, TimeUnit.SECONDS);
        if (!reply.committed()) {
            throw new IllegalStateException("the group did not commit the move: " + reply.error());
        }
        if (!reply.changed()) {
            throw new IllegalStateException(vip + " changed while the move was being decided; try again");
        }
        long deadline = nanos.getAsLong() + 5_000_000_000L;
        while (nanos.getAsLong() < deadline && !moving.stream().allMatch(m -> target.equals(table.get().vip(m)
                .holder()))) {
            pause.sleep(5);
        }
        VipState after = table.get().vip(vip);
        String what = moving.size() > 1 ? String.join(", ", moving) + " (group " + config.get().vip(vip)
                .orElseThrow().group() + ")" : vip;
        if (moving.stream().allMatch(m -> target.equals(table.get().vip(m).holder()))) {
            return what + " moved from " + name(from) + " to " + target + " (epoch " + after.epoch() + ")";
        }
        return vip + " assigned to " + target + " (epoch " + after.epoch() + "); still waiting for "
                + name(after.releasing()) + " to let go (at most the failover timeout)";
    }

    /**
     * {@code vipctl drain NODE} / {@code undrain}: a drained node's VIPs move away by handover and it receives
     * none until undrained. Waits (bounded) until the drained node holds nothing it can hand over.
     */
    String drain(Caller caller, String node, boolean drained) throws Exception {
        LOG.info("{} {} requested by {}", drained ? "drain" : "undrain", node, caller.describe());
        if (config.get().peer(node).isEmpty()) {
            throw new IllegalArgumentException("unknown node '" + node + "' (members: " + String.join(", ",
                    config.get().peers().stream().map(Peer::id).toList()) + ")");
        }
        Consensus.Outcome reply = cluster.get().submit(new Command.Drain(node, drained, wallMillis.getAsLong(),
                        config.get().nodeId(), caller.who()))
                .get(5, TimeUnit.SECONDS);
        if (!reply.committed()) {
            throw new IllegalStateException("the group did not commit the drain: " + reply.error());
        }
        if (!drained) {
            return node + " undrained: it may receive VIPs again (existing owners keep theirs unless preempt is on)";
        }
        long deadline = nanos.getAsLong() + 10_000_000_000L;
        List<String> still = List.of();
        while (nanos.getAsLong() < deadline) {
            VipTable t = table.get();
            still = t.vips().values().stream()
                    .filter(v -> node.equals(v.owner()) || node.equals(v.releasing()))
                    .map(VipState::name).toList();
            if (still.isEmpty()) {
                break;
            }
            pause.sleep(10);
        }
        return still.isEmpty()
                ? node + " drained: it owns no VIP"
                : node + " drained; still on it (no other eligible node, or still moving): " + String.join(", ", still);
    }

    /** Asks the group to make this node the Raft leader. */
    String lead(Caller caller) throws Exception {
        LOG.info("Raft leadership for {} requested by {}", config.get().nodeId(), caller.describe());
        if (config.get().self().witness()) {
            throw new IllegalStateException(config.get().nodeId() + " is a witness (witnesses): it leads only when no "
                    + "VIP host can, so that placement runs where the VIPs are");
        }
        if (!config.get().self().voter()) {
            throw new IllegalStateException(config.get().nodeId() + " does not vote (voters): a Raft listener never "
                    + "leads");
        }
        Consensus.Outcome reply = cluster.get().transferLeadershipTo(config.get().nodeId(), 5000);
        if (!reply.committed()) {
            throw new IllegalStateException("leadership transfer failed: " + reply.error());
        }
        return config.get().nodeId() + " is now the leader";
    }

}
