package io.vipd.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The validated configuration of one vipd node. Built only by {@link ConfigLoader}. */
public record VipdConfig(
        Path source,
        String nodeId,
        String clusterName,
        Path dataDir,
        Path controlSocket,
        List<Peer> peers,
        List<VipSpec> vips,
        Announce announce,
        Timing timing) {

    public VipdConfig {
        peers = List.copyOf(peers);
        vips = List.copyOf(vips);
    }

    public Peer self() {
        return peer(nodeId).orElseThrow();
    }

    public Optional<Peer> peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public Optional<VipSpec> vip(String name) {
        return vips.stream().filter(v -> v.name().equals(name)).findFirst();
    }
}
