package io.vipd.config;

/** A member of the Raft group: its node id and the host:port its Raft (gRPC) server listens on. */
public record Peer(String id, String host, int port) {
    public String address() {
        return host + ":" + port;
    }
}
