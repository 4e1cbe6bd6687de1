package io.vipd.config;

/**
 * A member of the Raft group: its node id, the host:port its Raft (gRPC) server listens on, and whether it is a
 * witness (it votes and stores the log, but holds no VIP and touches nothing on its host).
 */
public record Peer(String id, String host, int port, boolean witness) {
    /** A member that may hold VIPs. */
    public Peer(String id, String host, int port) {
        this(id, host, port, false);
    }

    public String address() {
        return host + ":" + port;
    }
}
