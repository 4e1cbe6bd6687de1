package io.vipd.daemon;

import io.vipd.cluster.Command;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator commands (vipctl move, drain, undrain) that reached the replicated log, with the node and local user
 * that issued them: logged by every node as it applies them, and the last few kept for {@code vipctl status}.
 * Kept in memory only: the log's history before this daemon started is not shown.
 */
final class OperatorActions {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorActions.class);
    static final int KEPT = 10;

    private final Clock clock;
    private final Deque<String> recent = new ArrayDeque<>();

    OperatorActions(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param changed whether it changed the table (a stale move or a repeated drain does not)
     * @param live    applied now, not replayed from this node's log at start-up
     */
    synchronized void applied(Command command, boolean changed, boolean live) {
        String what = describe(command) + (changed ? "" : " (no change)");
        if (live) {
            LOG.info("operator action: {}", what);
        }
        recent.addLast(Instant.now(clock).toString().substring(0, 19) + "Z " + what + (live ? "" : " (replayed)"));
        while (recent.size() > KEPT) {
            recent.removeFirst();
        }
    }

    synchronized List<String> recent() {
        return List.copyOf(recent);
    }

    static String describe(Command command) {
        if (command instanceof Command.Move m) {
            return "move " + m.vip() + " to " + m.target() + " by " + m.user() + " on " + m.issuer();
        }
        if (command instanceof Command.Together t && !t.assigns().isEmpty()) {
            return "move " + String.join(", ", t.assigns().stream().map(Command.Assign::vip).toList()) + " to "
                    + t.assigns().get(0).owner() + " by " + t.user() + " on " + t.issuer();
        }
        if (command instanceof Command.Drain d) {
            return (d.drained() ? "drain " : "undrain ") + d.node()
                    + (d.issuer().isEmpty() ? "" : " by " + d.user() + " on " + d.issuer());
        }
        return command.getClass().getSimpleName();
    }
}
