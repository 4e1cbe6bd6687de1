package io.vipd.config;

import java.net.Inet4Address;
import java.util.List;

/**
 * One virtual IP as the operator configured it.
 *
 * @param name      the operator's name for it (the key segment in {@code vip.NAME.address})
 * @param address   the floating address itself
 * @param prefix    the prefix length it is added with (it usually matches the subnet of the interface)
 * @param iface     the interface it is added to and announced on
 * @param preferred node ids in order of preference; empty means no preference
 * @param checks    names of the health checks ({@code check.NAME.*}) that must pass on a node for it to own this VIP
 * @param preempt   whether a more preferred node takes the VIP back from a healthy owner
 * @param preemptDelayMs how long that node must have been eligible (reachable, healthy, not drained) first
 * @param unhealthy what happens when no node passes the checks
 * @param preemptHoldMs preemption never takes the VIP from an owner that has held it for less than this (damping:
 *                  a node that lost it because it stopped renewing does not get it straight back)
 * @param conflict  what a node does that is to take the VIP while a MAC that is no member's answers for it
 * @param onSilent  what happens when every other member watching the VIP hears its owner answer no probe
 * @param track     further interfaces that must be up on a node for it to hold the VIP (like keepalived's
 *                  track_interface), besides {@code iface} itself
 * @param group     the group ({@code group.NAME.vips}) whose members are always on one host and move as one, or
 *                  null; a member's preference, preemption and the group's checks come from the group
 */
public record VipSpec(String name, java.net.InetAddress address, int prefix, String iface, List<String> preferred,
                      List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy,
                      long preemptHoldMs, ConflictPolicy conflict, SilentPolicy onSilent, List<String> track,
                      String group) {
    /** How long an owner keeps a VIP at least before preemption may take it. */
    public static final long DEFAULT_PREEMPT_HOLD_MS = 5000;

    /** When no node passes a VIP's checks. */
    public enum UnhealthyPolicy {
        /** The VIP keeps being served: it stays on its owner, or goes to a reachable node (like keepalived). */
        KEEP,
        /** The VIP is released: nobody answers for it until a node passes its checks. */
        RELEASE
    }

    /** When a node is to take a VIP that a MAC outside the cluster answers for (a static address, another cluster). */
    public enum ConflictPolicy {
        /** The VIP is not taken while the other MAC answers; status and log say who; retried each second. */
        REFUSE,
        /** The VIP is taken anyway; the conflict is reported and the owner defends it. */
        WARN
    }

    /** When the members watching a VIP hear its owner answer none of their probes (its ARP is lost somewhere). */
    public enum SilentPolicy {
        /** The VIP is handed to another eligible node (at most once a minute per VIP), and it is reported. */
        MOVE,
        /** It is only reported (status, doctor, log). */
        REPORT
    }

    public VipSpec {
        preferred = List.copyOf(preferred);
        checks = List.copyOf(checks);
        track = List.copyOf(track);
    }

    /** The VIP's interface and the tracked ones: every one must be up on a node that holds the VIP. */
    public List<String> links() {
        List<String> out = new java.util.ArrayList<>(List.of(iface));
        track.stream().filter(t -> !t.equals(iface)).forEach(out::add);
        return out;
    }

    /** A VIP in no group. */
    public VipSpec(String name, java.net.InetAddress address, int prefix, String iface, List<String> preferred,
                   List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy,
                   long preemptHoldMs, ConflictPolicy conflict, SilentPolicy onSilent, List<String> track) {
        this(name, address, prefix, iface, preferred, checks, preempt, preemptDelayMs, unhealthy, preemptHoldMs,
                conflict, onSilent, track, null);
    }

    /**
     * This VIP as a member of {@code group}: the group's preference and preemption, its own checks and the
     * group's.
     */
    public VipSpec inGroup(String group, List<String> preferred, List<String> groupChecks, boolean preempt,
                           long preemptDelayMs, long preemptHoldMs) {
        List<String> allChecks = new java.util.ArrayList<>(checks);
        groupChecks.stream().filter(c -> !allChecks.contains(c)).forEach(allChecks::add);
        return new VipSpec(name, address, prefix, iface, preferred, allChecks, preempt, preemptDelayMs, unhealthy,
                preemptHoldMs, conflict, onSilent, track, group);
    }

    /** Refusing to take a VIP another MAC answers for. */
    public VipSpec(String name, java.net.InetAddress address, int prefix, String iface, List<String> preferred,
                   List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy,
                   long preemptHoldMs) {
        this(name, address, prefix, iface, preferred, checks, preempt, preemptDelayMs, unhealthy, preemptHoldMs,
                ConflictPolicy.REFUSE, SilentPolicy.MOVE, List.of());
    }

    /** With the default preempt hold time. */
    public VipSpec(String name, java.net.InetAddress address, int prefix, String iface, List<String> preferred,
                   List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy) {
        this(name, address, prefix, iface, preferred, checks, preempt, preemptDelayMs, unhealthy,
                DEFAULT_PREEMPT_HOLD_MS);
    }

    /** A VIP without checks or preemption. */
    public VipSpec(String name, java.net.InetAddress address, int prefix, String iface, List<String> preferred) {
        this(name, address, prefix, iface, preferred, List.of(), false, 0, UnhealthyPolicy.KEEP);
    }

    /** How hosts find who has this VIP, as operators call it: "ARP", or "neighbour discovery" for IPv6. */
    public String resolution() {
        return address instanceof java.net.Inet6Address ? "neighbour discovery" : "ARP";
    }

    public String cidr() {
        return AddressText.of(address) + "/" + prefix;
    }
}
