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
 */
public record VipSpec(String name, Inet4Address address, int prefix, String iface, List<String> preferred,
                      List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy,
                      long preemptHoldMs) {
    /** How long an owner keeps a VIP at least before preemption may take it. */
    public static final long DEFAULT_PREEMPT_HOLD_MS = 5000;

    /** When no node passes a VIP's checks. */
    public enum UnhealthyPolicy {
        /** The VIP keeps being served: it stays on its owner, or goes to a reachable node (like keepalived). */
        KEEP,
        /** The VIP is released: nobody answers for it until a node passes its checks. */
        RELEASE
    }

    public VipSpec {
        preferred = List.copyOf(preferred);
        checks = List.copyOf(checks);
    }

    /** With the default preempt hold time. */
    public VipSpec(String name, Inet4Address address, int prefix, String iface, List<String> preferred,
                   List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy) {
        this(name, address, prefix, iface, preferred, checks, preempt, preemptDelayMs, unhealthy,
                DEFAULT_PREEMPT_HOLD_MS);
    }

    /** A VIP without checks or preemption. */
    public VipSpec(String name, Inet4Address address, int prefix, String iface, List<String> preferred) {
        this(name, address, prefix, iface, preferred, List.of(), false, 0, UnhealthyPolicy.KEEP);
    }

    public String cidr() {
        return address.getHostAddress() + "/" + prefix;
    }
}
