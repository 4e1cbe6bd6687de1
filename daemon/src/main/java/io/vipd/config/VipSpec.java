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
 */
public record VipSpec(String name, Inet4Address address, int prefix, String iface, List<String> preferred) {
    public VipSpec {
        preferred = List.copyOf(preferred);
    }

    public String cidr() {
        return address.getHostAddress() + "/" + prefix;
    }
}
