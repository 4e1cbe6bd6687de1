package io.vipd.testbed;

import io.vipd.host.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The testbed's network: a switch namespace holding a bridge, host namespaces {@code h1..hN} and a client namespace,
 * each joined to the bridge by a veth pair, addresses in 198.18.0.0/24 only; and the VIPs' addresses (from the 151st
 * VIP on in 198.18.1.0/24 and up). A <em>routed</em> host is on a subnet of its own instead, 198.18.(200 + i).0/24,
 * reached through a router namespace on the bridge (198.18.0.254): a member in another subnet, as a witness often is.
 * Nothing is created in the main namespace. Constructing one creates nothing; {@link #build()} creates the
 * namespaces and {@link #close()} deletes them.
 */
public final class Topology {
    public static final String SUBNET = "198.18.0.";
    /** The client's host number: its address is {@code SUBNET + CLIENT}. */
    static final int CLIENT = 250;
    /** The router's host number, on the bridge and on each routed subnet. */
    static final int ROUTER = 254;
    private static final String PREFIX = "vipdt";

    private final String id = PREFIX + ProcessHandle.current().pid();
    private final int hostCount;
    private final Map<String, Inet4Address> vips = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final MacAddress[] macs;
    /** Host i's eth1, once {@link #plugSecondInterface} plugged one. */
    private final MacAddress[] secondMacs;
    private MacAddress clientMac;
    private int clientIndex;
    private final java.util.Set<Integer> routed;

    /** @param vipNames VIP i gets 198.18.0.(100 + i), from the 151st on 198.18.1.1, ... */
    public Topology(int hostCount, List<String> vipNames) {
        this(hostCount, vipNames, java.util.Set.of());
    }

    /** @param routed hosts on a subnet of their own, behind a router (see the class comment) */
    public Topology(int hostCount, List<String> vipNames, java.util.Set<Integer> routed) {
        this.hostCount = hostCount;
        this.routed = java.util.Set.copyOf(routed);
        this.macs = new MacAddress[hostCount + 1];
        this.secondMacs = new MacAddress[hostCount + 1];
        for (int i = 0; i < vipNames.size(); i++) {
            // up to 150 in the hosts' /24 (.100-.249: the client is .250), then 198.18.1.1 on, 250 per /24 (ARP
            // answers any address configured on the interface, whatever its subnet)
            int k = i - 150;
            vips.put(vipNames.get(i), ip(i < 150 ? SUBNET + (100 + i) : "198.18." + (1 + k / 250) + "." + (1 + k % 250)));
        }
    }

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(s);
        }
    }

    /** Namespaces of earlier runs whose process is gone (a run killed before it could clean up). */
    static void removeLeftovers() throws IOException {
        for (String line : Shell.ok("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0].trim();
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String digits = name.substring(PREFIX.length()).replaceAll("[^0-9].*$", "");
            if (!digits.isEmpty() && ProcessHandle.of(Long.parseLong(digits)).isEmpty()) {
                Shell.quietly("ip", "netns", "del", name);
            }
        }
    }

    public String hostNs(int i) {
        return id + "h" + i;
    }

    public String clientNs() {
        return id + "c";
    }

    String switchNs() {
        return id + "sw";
    }

    /** Host i's node id in the cluster. */
    public String node(int i) {
        return "n" + i;
    }

    /** Host i's address. */
    public String hostAddress(int i) {
        return routed.contains(i) ? "198.18." + (200 + i) + ".1" : SUBNET + i;
    }

    /** Whether host i is on a subnet of its own, behind the router. */
    public boolean routed(int i) {
        return routed.contains(i);
    }

    String routerNs() {
        return id + "r";
    }

    /** Host i's cable: its bridge port, or for a routed host the router's port towards it: {namespace, device}. */
    String[] cable(int i) {
        return routed.contains(i) ? new String[] {routerNs(), "w" + i} : new String[] {switchNs(), bridgePort(i)};
    }

    public Inet4Address vip(String name) {
        return vips.get(name);
    }

    public Map<String, Inet4Address> vips() {
        return vips;
    }

    public int hostCount() {
        return hostCount;
    }

    public MacAddress mac(int i) {
        return macs[i];
    }

    /** Host index owning {@code mac} (on eth0, or on eth1 if plugged), or 0 if none. */
    public int hostOf(MacAddress mac) {
        for (int i = 1; i <= hostCount; i++) {
            if (macs[i].equals(mac) || mac.equals(secondMacs[i])) {
                return i;
            }
        }
        return 0;
    }

    MacAddress clientMac() {
        return clientMac;
    }

    /** The interface index of the client's eth0, inside the client's namespace. */
    int clientIndex() {
        return clientIndex;
    }

    Inet4Address clientAddress() {
        return ip(SUBNET + CLIENT);
    }

    private void addNs(String name) throws IOException {
        Shell.ok("ip", "netns", "add", name);
        namespaces.add(name);
        Shell.ok("ip", "-n", name, "link", "set", "dev", "lo", "up");
    }

    /** A host or client namespace with eth0 at {@code address}, its peer end on the bridge as port {@code port}. */
    private MacAddress plug(String ns, String port, String address) throws IOException {
        addNs(ns);
        Shell.ok("ip", "-n", ns, "link", "add", "name", "eth0", "type", "veth", "peer", "name", port, "netns",
                switchNs());
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", port, "master", "br0");
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", port, "up");
        Shell.ok("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        Shell.ok("ip", "-n", ns, "link", "set", "dev", "eth0", "up");
        String link = Shell.ok("ip", "-n", ns, "-o", "link", "show", "dev", "eth0");
        return MacAddress.parse(link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1"));
    }

    /** Creates the switch, the hosts and the client. */
    void build() throws IOException {
        addNs(switchNs());
        Shell.ok("ip", "-n", switchNs(), "link", "add", "name", "br0", "type", "bridge");
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", "br0", "up");
        for (int i = 1; i <= hostCount; i++) {
            if (!routed.contains(i)) {
                macs[i] = plug(hostNs(i), bridgePort(i), hostAddress(i));
            }
        }
        clientMac = plug(clientNs(), "pc", SUBNET + CLIENT);
        if (!routed.isEmpty()) {
            buildRouter();
        }
        clientIndex = Integer.parseInt(Shell.ok("ip", "-n", clientNs(), "-o", "link", "show", "dev", "eth0")
                .split(":")[0].trim());
    }

    /** The router on the bridge, each routed host behind it on its own /24, and the routes both ways. */
    private void buildRouter() throws IOException {
        plug(routerNs(), "pr", SUBNET + ROUTER);
        Shell.ok("ip", "netns", "exec", routerNs(), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        for (int i : routed) {
            String ns = hostNs(i);
            String subnet = "198.18." + (200 + i) + ".";
            addNs(ns);
            Shell.ok("ip", "-n", ns, "link", "add", "name", "eth0", "type", "veth", "peer", "name", "w" + i, "netns",
                    routerNs());
            Shell.ok("ip", "-n", routerNs(), "addr", "add", subnet + ROUTER + "/24", "dev", "w" + i);
            Shell.ok("ip", "-n", routerNs(), "link", "set", "dev", "w" + i, "up");
            Shell.ok("ip", "-n", ns, "addr", "add", hostAddress(i) + "/24", "dev", "eth0");
            Shell.ok("ip", "-n", ns, "link", "set", "dev", "eth0", "up");
            Shell.ok("ip", "-n", ns, "route", "add", "default", "via", subnet + ROUTER);
            String link = Shell.ok("ip", "-n", ns, "-o", "link", "show", "dev", "eth0");
            macs[i] = MacAddress.parse(link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1"));
            for (int h = 1; h <= hostCount; h++) {
                if (!routed.contains(h)) {
                    Shell.ok("ip", "-n", hostNs(h), "route", "add", subnet + "0/24", "via", SUBNET + ROUTER);
                }
            }
            Shell.ok("ip", "-n", clientNs(), "route", "add", subnet + "0/24", "via", SUBNET + ROUTER);
        }
    }

    /**
     * Plugs a second interface of host i, eth1 without an address, into the same bridge (port {@code q<i>}), for
     * VIPs on an interface other than the one Raft uses. The host then answers ARP only on the interface that has
     * the address ({@code arp_ignore = 1}), as a host with two NICs on one segment must be set up.
     *
     * @return eth1's MAC
     */
    public MacAddress plugSecondInterface(int i) throws IOException {
        String ns = hostNs(i);
        Shell.ok("ip", "-n", ns, "link", "add", "name", "eth1", "type", "veth", "peer", "name", "q" + i, "netns",
                switchNs());
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", "q" + i, "master", "br0");
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", "q" + i, "up");
        Shell.ok("ip", "-n", ns, "link", "set", "dev", "eth1", "up");
        for (String scope : List.of("all", "eth0", "eth1")) {
            Shell.ok("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.conf." + scope + ".arp_ignore=1");
        }
        String link = Shell.ok("ip", "-n", ns, "-o", "link", "show", "dev", "eth1");
        secondMacs[i] = MacAddress.parse(link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1"));
        return secondMacs[i];
    }

    /** Host i's second cable ({@link #plugSecondInterface}): its bridge port goes down or up. */
    public void secondLink(int i, boolean up) throws IOException {
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", "q" + i, up ? "up" : "down");
    }

    /** The name, in the switch namespace, of the bridge port host i is plugged into. */
    String bridgePort(int i) {
        return "p" + i;
    }

    /** Deletes every namespace {@link #build()} created, the last created first. */
    void close() {
        for (int k = namespaces.size() - 1; k >= 0; k--) {
            Shell.quietly("ip", "netns", "del", namespaces.get(k));
        }
        namespaces.clear();
    }
}
