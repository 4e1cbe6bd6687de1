package io.vipd.testbed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Network faults on a testbed's hosts: a partition from the other hosts, frame loss, and the host's cable. Filters
 * live in a table of the test's own ({@code vipdtest}) in the host's namespace, so {@link #heal} removes exactly
 * them. (Faults of the daemon process itself, kill -9, SIGSTOP and SIGTERM, are in {@link Daemons}.)
 */
public final class Faults {
    private static final String TABLE = "vipdtest";

    private final Topology topology;

    Faults(Topology topology) {
        this.topology = topology;
    }

    private void nft(int i, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.hostNs(i), "nft"));
        cmd.addAll(List.of(args));
        Shell.Result r = Shell.run(cmd, 20_000);
        if (r.exit() != 0) {
            throw new IOException("nft " + String.join(" ", args) + " in " + topology.hostNs(i) + ": " + r.output());
        }
    }

    /**
     * Cuts host i off from the other hosts (all IP traffic between them dropped in host i's namespace, in a table of
     * the test's own) while the client still reaches it: the partition in which two owners could both answer.
     */
    public void isolate(int i) throws IOException {
        List<Integer> everyone = new ArrayList<>();
        for (int p = 1; p <= topology.hostCount(); p++) {
            everyone.add(p);
        }
        cut(i, everyone, true, true);
        for (String hook : List.of("input", "output")) {
            if (hook.equals("output")) { // multicast (VRRP adverts) would still reach the peers otherwise
                nft(i, "add", "rule", "inet", TABLE, hook, "ip", "daddr", "224.0.0.0/4", "drop");
            }
            // VRRPv3 over IPv6 goes between link-local addresses the rules above do not name
            nft(i, "add", "rule", "inet", TABLE, hook, "meta", "nfproto", "ipv6", "meta", "l4proto", "112", "drop");
        }
    }

    /**
     * Cuts host i off from some hosts, possibly in one direction only: {@code inbound} drops what they send to i,
     * {@code outbound} what i sends them (IPv4, in host i's namespace, in the test's own table). With both and every
     * other host it is {@link #isolate} without the multicast rule; with one direction it is the asymmetric partition
     * in which a host still hears the leader but is not heard, or the reverse.
     */
    public void cut(int i, java.util.Collection<Integer> peers, boolean inbound, boolean outbound) throws IOException {
        nft(i, "add", "table", "inet", TABLE);
        for (String hook : List.of("input", "output")) {
            if (hook.equals("input") ? !inbound : !outbound) {
                continue;
            }
            nft(i, "add", "chain", "inet", TABLE, hook, "{", "type", "filter", "hook", hook, "priority", "-10",
                    ";", "}");
            for (int p : peers) {
                if (p != i) {
                    nft(i, "add", "rule", "inet", TABLE, hook, "ip", hook.equals("input") ? "saddr" : "daddr",
                            topology.hostAddress(p), "drop");
                }
            }
        }
    }

    /**
     * Drops {@code percent} % of host i's frames, IP and ARP, both directions. (tc netem is what one would use, but
     * this kernel has no sch_netem; nftables' random number generator gives the same loss.)
     */
    public void loss(int i, int percent) throws IOException {
        for (String family : List.of("inet", "arp")) {
            nft(i, "add", "table", family, TABLE);
            for (String hook : List.of("input", "output")) {
                nft(i, "add", "chain", family, TABLE, hook, "{", "type", "filter", "hook", hook, "priority",
                        "-10", ";", "}");
                nft(i, "add", "rule", family, TABLE, hook, "numgen", "random", "mod", "100", "<",
                        String.valueOf(percent), "drop");
            }
        }
    }

    /** Removes what {@link #isolate} and {@link #loss} added. */
    public void heal(int i) throws IOException {
        for (String family : List.of("inet", "arp")) {
            Shell.run(List.of("ip", "netns", "exec", topology.hostNs(i), "nft", "delete", "table", family, TABLE),
                    20_000);
        }
    }

    /** The host's cable: the bridge port of host i goes down or up. The host keeps its addresses. */
    public void link(int i, boolean up) throws IOException {
        String[] cable = topology.cable(i);
        Shell.ok("ip", "-n", cable[0], "link", "set", "dev", cable[1], up ? "up" : "down");
    }
}
