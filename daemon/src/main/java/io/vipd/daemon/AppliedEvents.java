package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an applied entry tells this node besides the table itself: who renewed (liveness), who left, a new owner's
 * grace, another node's diverging VIP definitions, operator actions, and owner changes (logged, and timed for
 * preempt holds). Runs on the thread that applies entries; must return quickly. Entries up to {@code replayUntil}
 * are this node's own log replayed at start-up: old news, logged quietly and earning nobody anything.
 */
final class AppliedEvents {
    private static final Logger LOG = LoggerFactory.getLogger(AppliedEvents.class);

    private final Supplier<VipdConfig> config;
    private final Liveness liveness;
    private final Placement placement;
    private final OperatorActions operatorActions;
    private final LongSupplier nanos;

    AppliedEvents(Supplier<VipdConfig> config, Liveness liveness, Placement placement,
                  OperatorActions operatorActions, LongSupplier nanos) {
        this.config = config;
        this.liveness = liveness;
        this.placement = placement;
        this.operatorActions = operatorActions;
        this.nanos = nanos;
    }

    void applied(long index, long replayUntil, Command command, VipTable before, VipTable after) {
        long now = nanos.getAsLong();
        VipdConfig c = config.get();
        if (command instanceof Command.Renew r) {
            if (index > replayUntil) {
                liveness.renewed(r.node(), now);
            } else {
                // replayed from this node's own log at start-up: old news, it earns nothing (but keeps the node
                // from being judged dead before it could renew again)
                liveness.grace(r.node(), now);
            }
        } else if (command instanceof Command.Leave l) {
            liveness.left(l.node());
        } else if (command instanceof Command.Definitions d && before != after && index > replayUntil
                && !d.node().equals(c.nodeId())) {
            for (VipSpec spec : c.vips()) {
                String theirs = d.vips().get(spec.name());
                if (!spec.cidr().equals(theirs)) {
                    LOG.warn("configuration mismatch: {} defines VIP {} as {}, this node as {}; {} will not be given "
                            + "it while they differ", d.node(), spec.name(), theirs == null ? "nothing" : theirs,
                            spec.cidr(), d.node());
                }
            }
        } else if ((command instanceof Command.Assign || command instanceof Command.Assignments
                || command instanceof Command.Together) && before != after) {
            // A new owner gets one failover timeout before it can be judged dead, even if its renewals have not
            // been applied here lately (this node may have seen them late): only ever delays a move.
            List<Command.Assign> assigns = command instanceof Command.Assign one ? List.of(one)
                    : command instanceof Command.Together t ? t.assigns()
                    : ((Command.Assignments) command).assigns();
            for (Command.Assign a : assigns) {
                if (a.owner() != null && before.vip(a.vip()).epoch() != after.vip(a.vip()).epoch()) {
                    liveness.grace(a.owner(), now);
                }
            }
        } else if (command instanceof Command.Move m && before != after) {
            liveness.grace(m.target(), now);
        }
        if (command instanceof Command.Move || command instanceof Command.Drain
                || command instanceof Command.Together t && t.moved()) {
            operatorActions.applied(command, before != after, index > replayUntil);
        }
        if (before.vips() != after.vips()) { // shared unless a VIP's state changed
            BatchLog changes = new BatchLog(LOG);
            for (VipState v : after.vips().values()) {
                VipState old = before.vip(v.name());
                if (!Objects.equals(old.owner(), v.owner())) {
                    placement.ownerChanged(v.name());
                    if (index <= replayUntil) {
                        LOG.debug("replayed: VIP {}: owner {} -> {} (epoch {})", v.name(), name(old.owner()),
                                name(v.owner()), v.epoch());
                        continue;
                    }
                    java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
                    fields.put("vip", v.name());
                    fields.put("node", name(v.owner()));
                    fields.put("from", name(old.owner()));
                    fields.put("epoch", v.epoch());
                    fields.put("reason", v.reason());
                    changes.add(v.name(), "changed owner " + name(old.owner()) + " -> " + name(v.owner()) + ": "
                            + v.reason(), "VIP " + v.name() + ": owner " + name(old.owner()) + " -> "
                            + name(v.owner()) + " (epoch " + v.epoch() + "): " + v.reason(), fields);
                }
            }
            changes.flush();
        }
    }

    private static String name(String owner) {
        return owner == null ? "(none)" : owner;
    }
}
