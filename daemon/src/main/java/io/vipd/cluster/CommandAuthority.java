package io.vipd.cluster;

/**
 * Who may submit which command: a node speaks only for itself, and only the leader places VIPs. Judged on the
 * server that receives a write, with the sender's node id taken from its TLS certificate, before the entry is
 * appended: Ratis appends client writes only on the leader, so the receiving server is the leader of the moment
 * when the write commits.
 *
 * <p>Without this, any member holding a valid certificate could renew another node's lease (and hold off its
 * failover for as long as it kept doing so), make another node leave, or assign VIPs from a stale view.
 */
public final class CommandAuthority {
    private CommandAuthority() {}

    /**
     * Null if {@code sender} may submit {@code command} to the server {@code self}; otherwise why not, in words an
     * operator can act on.
     */
    public static String refusal(Command command, String sender, String self) {
        if (command instanceof Command.Renew r) {
            return own(sender, r.node(), "renew");
        }
        if (command instanceof Command.Leave l) {
            return own(sender, l.node(), "leave");
        }
        if (command instanceof Command.Health h) {
            return own(sender, h.node(), "report health");
        }
        if (command instanceof Command.Definitions d) {
            return own(sender, d.node(), "report VIP definitions");
        }
        if (command instanceof Command.Observed o) {
            return own(sender, o.node(), "report what it observes");
        }
        if (command instanceof Command.Released r) {
            // The previous owner confirms it let go; or the leader ends the wait after the failover timeout.
            return sender.equals(r.node()) || sender.equals(self) ? null
                    : sender + " may not confirm a release for " + r.node();
        }
        if (command instanceof Command.Assign || command instanceof Command.Assignments) {
            return sender.equals(self) ? null
                    : "only the leader's own placement may assign VIPs; " + sender + " is not the leader (" + self
                    + " is)";
        }
        if (command instanceof Command.Move m) {
            return operator(sender, m.issuer(), "move");
        }
        if (command instanceof Command.Together t) {
            return t.moved() ? operator(sender, t.issuer(), "move")
                    : sender.equals(self) ? null : "only the leader's own placement may assign VIPs; " + sender
                            + " is not the leader (" + self + " is)";
        }
        if (command instanceof Command.Drain d) {
            return operator(sender, d.issuer(), "drain");
        }
        return "unknown command " + command.getClass().getSimpleName();
    }

    /**
     * Null if {@code sender} may send the read-only query {@code data}: a renewal only for itself, a leader check
     * only naming itself as the leader; otherwise why not.
     */
    public static String queryRefusal(byte[] data, String sender) {
        try {
            if (LeaderCheck.is(data)) {
                LeaderCheck check = LeaderCheck.decode(data);
                return sender.equals(check.leader()) ? null
                        : sender + " may check only its own leadership, not " + check.leader() + "'s";
            }
            Command command = Command.decode(data);
            return command instanceof Command.Renew r ? own(sender, r.node(), "renew")
                    : "vipd answers no query " + command.getClass().getSimpleName();
        } catch (java.io.EOFException e) {
            return "malformed query: truncated";
        } catch (java.io.IOException | RuntimeException e) {
            return "malformed query: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static String operator(String sender, String issuer, String what) {
        return issuer.isEmpty() ? "an operator's " + what + " must name the node it was issued on"
                : own(sender, issuer, "relay an operator's " + what);
    }

    private static String own(String sender, String node, String what) {
        return sender.equals(node) ? null : sender + " may " + what + " only for itself, not for " + node;
    }
}
