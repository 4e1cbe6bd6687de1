package io.vipd.config;

/**
 * A member of the Raft group: its node id, the host:port its Raft (gRPC) server listens on, whether it is a witness
 * (it votes and stores the log, but holds no VIP and touches nothing on its host), and whether it votes (a member
 * that does not is a Raft listener: it holds VIPs like any other, renewing, placed and fenced, but takes no part in
 * elections and commits).
 */
public record Peer(String id, String host, int port, boolean witness, boolean voter) {
    /** A voting member that may hold VIPs. */
    public Peer(String id, String host, int port) {
        this(id, host, port, false, true);
    }

    /** A voting member, a witness or not. */
    public Peer(String id, String host, int port, boolean witness) {
        this(id, host, port, witness, true);
    }

    /**
     * Whether Raft leadership may be handed to it: a voter that may hold VIPs (Ratis refuses a hand-off to a listener,
     * and to a witness, whose priority is lower).
     */
    public boolean takesLeadership() {
        return voter && !witness;
    }

    /** Whether it may be given VIPs: every member but a witness. */
    public boolean holdsVips() {
        return !witness;
    }

    public String address() {
        return host + ":" + port;
    }
}
