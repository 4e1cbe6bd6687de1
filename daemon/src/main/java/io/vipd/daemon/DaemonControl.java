package io.vipd.daemon;

import io.vipd.control.Caller;
import io.vipd.control.ControlHandler;
import io.vipd.control.StatusReport;
import io.vipd.security.PeerTls;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the control socket reaches in the running daemon: the agent's status with how Raft traffic is protected,
 * the agent's operator commands, and the reloader once start-up has made it.
 */
final class DaemonControl implements ControlHandler.Service {
    private final OwnershipAgent agent;
    /** This node's Raft TLS, or null when the configuration says insecure. */
    private final PeerTls tls;
    private final AtomicReference<Reloader> reloader = new AtomicReference<>();

    DaemonControl(OwnershipAgent agent, PeerTls tls) {
        this.agent = agent;
        this.tls = tls;
    }

    void reloaderReady(Reloader r) {
        reloader.set(r);
    }

    @Override
    public StatusReport status() throws Exception {
        return agent.status().withSecurity(tls == null
                ? "INSECURE: neither encrypted nor authenticated (insecure = true)" : tls.describe());
    }

    @Override
    public AutoCloseable watch(java.util.function.Consumer<String> lines) {
        return agent.observers().events().subscribe(lines);
    }

    @Override
    public io.vipd.control.HistoryReport history() {
        return agent.history();
    }

    @Override
    public io.vipd.control.DoctorReport doctor(java.util.List<String> vips) throws Exception {
        return agent.doctor(vips);
    }

    @Override
    public String lead(Caller caller) throws Exception {
        return agent.lead(caller);
    }

    @Override
    public String move(Caller caller, String vip, String node) throws Exception {
        return agent.move(caller, vip, node);
    }

    @Override
    public String drain(Caller caller, String node, boolean drained) throws Exception {
        return agent.drain(caller, node, drained);
    }

    @Override
    public String member(Caller caller, java.util.List<String> change) throws Exception {
        MembershipChanges changes = agent.membershipChanges();
        return switch (change.get(0) + "/" + change.size()) {
            case "add/4" -> changes.add(caller, change.get(1), change.get(2), MembershipChanges.Role.parse(
                    change.get(3)));
            case "remove/2" -> changes.remove(caller, change.get(1));
            case "replace/4" -> changes.replace(caller, change.get(1), change.get(2), change.get(3));
            default -> throw new IllegalArgumentException("unknown membership change '" + String.join(" ", change)
                    + "' (add ID ADDRESS ROLE, remove ID, replace OLD NEW ADDRESS)");
        };
    }

    @Override
    public String reload(Caller caller) throws Exception {
        Reloader r = reloader.get();
        if (r == null) {
            throw new IllegalStateException("still starting; try again in a moment");
        }
        return r.reload(caller);
    }
}
