package io.vipd.config;

import java.net.Inet4Address;
import java.util.AbstractList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * The configured VIPs in configuration order, immutable, and found by name or address in constant time: the agent
 * looks VIPs up on every tick and for every ARP frame it hears, and a configuration may define a thousand.
 */
final class VipList extends AbstractList<VipSpec> implements RandomAccess {
    private final List<VipSpec> vips;
    private final Map<String, VipSpec> byName = new HashMap<>();
    private final Map<java.net.InetAddress, VipSpec> byAddress = new HashMap<>();
    /** Group name → its members' names, in configuration order. */
    private final Map<String, List<String>> byGroup = new HashMap<>();

    private VipList(List<VipSpec> vips) {
        this.vips = List.copyOf(vips);
        Map<String, java.util.ArrayList<String>> groups = new HashMap<>();
        for (VipSpec v : this.vips) { // the first of a name or address wins, as a linear search would find it
            byName.putIfAbsent(v.name(), v);
            byAddress.putIfAbsent(v.address(), v);
            if (v.group() != null) {
                groups.computeIfAbsent(v.group(), g -> new java.util.ArrayList<>()).add(v.name());
            }
        }
        groups.forEach((g, names) -> byGroup.put(g, List.copyOf(names)));
    }

    /** The names of the VIPs that move with {@code name}: its group's members, or itself alone. */
    List<String> groupOf(String name) {
        VipSpec v = byName.get(name);
        return v == null || v.group() == null ? List.of(name) : byGroup.get(v.group());
    }

    static VipList of(List<VipSpec> vips) {
        return vips instanceof VipList l ? l : new VipList(vips);
    }

    VipSpec named(String name) {
        return byName.get(name);
    }

    VipSpec at(java.net.InetAddress address) {
        return byAddress.get(address);
    }

    @Override
    public VipSpec get(int index) {
        return vips.get(index);
    }

    @Override
    public int size() {
        return vips.size();
    }
}
