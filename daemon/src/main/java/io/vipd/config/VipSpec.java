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
 */
public record VipSpec(String name, Inet4Address address, int prefix, String iface, List<String> preferred,
                      List<String> checks, boolean preempt, long preemptDelayMs, UnhealthyPolicy unhealthy) {
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

    /** A VIP without checks or preemption. */
    public VipSpec(String name, Inet4Address address, int prefix, String iface, List<String> preferred) {
        this(name, address, prefix, iface, preferred, List.of(), false, 0, UnhealthyPolicy.KEEP);
    }

    public String cidr() {
        return address.getHostAddress() + "/" + prefix;
    }
}
