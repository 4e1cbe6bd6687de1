package io.vipd.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The validated configuration of one vipd node. Built only by {@link ConfigLoader}.
 *
 * @param controlGroup members of this group may read the control socket (vipctl status); whether the group
 *                     exists is for the daemon to find out, at start
 * @param snapshotEntries the Raft log is snapshotted and purged every this many entries
 * @param tls where this node's TLS material for Raft traffic is, or that it runs without (insecure)
 * @param warnings what is valid but probably not what the operator wants (a 2-node cluster, a hook program that is
 *                 not there yet...), each as {@code file:line: key: message}; {@code vipd --check-config} prints them
 *                 and the daemon logs them at start
 */
public record VipdConfig(
        Path source,
        String nodeId,
        String clusterName,
        Path dataDir,
        Path controlSocket,
        String controlGroup,
        List<Peer> peers,
        List<VipSpec> vips,
        Announce announce,
        Watch watch,
        Timing timing,
        java.util.Map<String, CheckSpec> checks,
        NotifyHooks hooks,
        int snapshotEntries,
        TlsSettings tls,
        List<String> warnings,
        io.vipd.config.keys.AddressTypes.HostPort metricsListen) {
    /**
     * Every node commits a renewal each renew interval, so 20,000 entries are a few minutes of log: snapshotting
     * that often keeps the log small, and a node that was away longer catches up from the leader's snapshot.
     */
    public static final int DEFAULT_SNAPSHOT_ENTRIES = 20_000;

    /** Without a metrics listener. */
    public VipdConfig(Path source, String nodeId, String clusterName, Path dataDir, Path controlSocket,
                      String controlGroup, List<Peer> peers, List<VipSpec> vips, Announce announce, Watch watch,
                      Timing timing, java.util.Map<String, CheckSpec> checks, NotifyHooks hooks, int snapshotEntries,
                      TlsSettings tls, List<String> warnings) {
        this(source, nodeId, clusterName, dataDir, controlSocket, controlGroup, peers, vips, announce, watch, timing,
                checks, hooks, snapshotEntries, tls, warnings, null);
    }

    public VipdConfig {
        peers = List.copyOf(peers);
        vips = VipList.of(vips);
        checks = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(checks));
        warnings = List.copyOf(warnings);
    }

    /** A configuration without warnings. */
    public VipdConfig(Path source, String nodeId, String clusterName, Path dataDir, Path controlSocket,
                      List<Peer> peers, List<VipSpec> vips, Announce announce, Timing timing,
                      java.util.Map<String, CheckSpec> checks, NotifyHooks hooks) {
        this(source, nodeId, clusterName, dataDir, controlSocket, ConfigLoader.DEFAULT_CONTROL_GROUP, peers, vips,
                announce, Watch.DEFAULT, timing, checks, hooks, DEFAULT_SNAPSHOT_ENTRIES, TlsSettings.INSECURE, List.of());
    }

    /** A configuration without health checks, notify hooks or warnings. */
    public VipdConfig(Path source, String nodeId, String clusterName, Path dataDir, Path controlSocket,
                      List<Peer> peers, List<VipSpec> vips, Announce announce, Timing timing) {
        this(source, nodeId, clusterName, dataDir, controlSocket, peers, vips, announce, timing,
                java.util.Map.of(), NotifyHooks.NONE);
    }

    /** The same configuration with the group's live membership as its peers (see the daemon's LiveMembership). */
    public VipdConfig withPeers(List<Peer> live) {
        return new VipdConfig(source, nodeId, clusterName, dataDir, controlSocket, controlGroup, live, vips, announce,
                watch, timing, checks, hooks, snapshotEntries, tls, warnings, metricsListen);
    }

    public Peer self() {
        return peer(nodeId).orElseThrow();
    }

    public Optional<Peer> peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public Optional<VipSpec> vip(String name) {
        return Optional.ofNullable(((VipList) vips).named(name));
    }

    /** The names of the VIPs always on one host with {@code vip}: its group's members, or {@code vip} alone. */
    public List<String> groupOf(String vip) {
        return ((VipList) vips).groupOf(vip);
    }

    /** The VIP whose address is {@code address}, if any. */
    public Optional<VipSpec> vipAt(java.net.InetAddress address) {
        return Optional.ofNullable(((VipList) vips).at(address));
    }
}
