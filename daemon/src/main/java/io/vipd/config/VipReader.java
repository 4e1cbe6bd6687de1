package io.vipd.config;

import io.vipd.config.keys.AddressTypes;
import io.vipd.config.keys.PeerKeys;
import io.vipd.config.keys.ValueTypes;
import io.vipd.config.keys.VipKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the VIPs ({@link VipKeys}): each at an address of its own that no member has, on a named interface,
 * preferring configured peers and needing defined checks.
 */
final class VipReader {
    private final KeyReader keys;
    private final Set<String> peerIds = new TreeSet<>();
    private final List<Peer> peers;
    private final Map<String, CheckSpec> checks;
    /** Which VIP has which address, to refuse a second one. */
    private final Map<String, String> byAddress = new HashMap<>();

    private VipReader(KeyReader keys, List<Peer> peers, Map<String, CheckSpec> checks) {
        this.keys = keys;
        this.peers = peers;
        this.checks = checks;
        peers.forEach(p -> peerIds.add(p.id()));
    }

    /** @return sorted by name */
    static List<VipSpec> read(KeyReader keys, Map<String, KeyReader.Member> members, List<Peer> peers,
                              Map<String, CheckSpec> checks) throws ConfigException {
        VipReader reader = new VipReader(keys, peers, checks);
        List<VipSpec> vips = new ArrayList<>();
        for (KeyReader.Member vip : members.values()) {
            vips.add(reader.read(vip));
        }
        vips.sort(Comparator.comparing(VipSpec::name));
        return vips;
    }

    private VipSpec read(KeyReader.Member vip) throws ConfigException {
        String name = vip.name();
        if (!ValueTypes.ID.matcher(name).matches()) {
            throw keys.error(vip.someKey(), "'" + name + "' is not a valid VIP name (letters, digits, '-' or '_')");
        }
        String addressKey = VipKeys.ADDRESS.in(name);
        if (!keys.isSet(VipKeys.ADDRESS, name)) {
            throw keys.missing(vip.someKey(), addressKey, "missing: VIP '" + name + "' needs an address (example: "
                    + addressKey + " = 198.18.0.100/24)");
        }
        AddressTypes.Cidr cidr = keys.find(VipKeys.ADDRESS, name).orElseThrow();
        String address = AddressText.of(cidr.address());
        String other = byAddress.putIfAbsent(address, name);
        if (other != null) {
            throw keys.error(addressKey, "duplicate VIP: " + address + " is already the address of vip." + other);
        }
        for (Peer p : peers) {
            if (p.host().equals(address) || p.host().equals("[" + address + "]")) {
                throw keys.error(addressKey, address + " is the address of node '" + p.id() + "' ("
                        + PeerKeys.PEER.in(p.id()) + "); a VIP must be an address no host has of its own");
            }
        }
        if (!keys.isSet(VipKeys.INTERFACE, name)) {
            throw keys.missing(addressKey, VipKeys.INTERFACE.in(name),
                    "missing: VIP '" + name + "' needs the interface to put the address on");
        }
        String iface = keys.find(VipKeys.INTERFACE, name).orElseThrow();
        List<String> preferred = preferred(name);
        List<String> vipChecks = checks(name);
        boolean preempt = keys.get(VipKeys.PREEMPT, name);
        int preemptDelay = keys.get(VipKeys.PREEMPT_DELAY_MS, name);
        if (preemptDelay > 0 && !preempt) {
            throw keys.error(VipKeys.PREEMPT_DELAY_MS.in(name), "set, but " + VipKeys.PREEMPT.in(name) + " is off");
        }
        int preemptHold = keys.get(VipKeys.PREEMPT_HOLD_MS, name);
        if (keys.isSet(VipKeys.PREEMPT_HOLD_MS, name) && !preempt) {
            throw keys.error(VipKeys.PREEMPT_HOLD_MS.in(name), "set, but " + VipKeys.PREEMPT.in(name) + " is off");
        }
        VipSpec.UnhealthyPolicy policy = keys.get(VipKeys.UNHEALTHY, name);
        if (policy == VipSpec.UnhealthyPolicy.RELEASE && vipChecks.isEmpty()) {
            throw keys.error(VipKeys.UNHEALTHY.in(name), "release needs checks (" + VipKeys.CHECKS.in(name) + ")");
        }
        return new VipSpec(name, cidr.address(), cidr.prefix(), iface, preferred, vipChecks, preempt, preemptDelay,
                policy, preemptHold, keys.get(VipKeys.CONFLICT, name), keys.get(VipKeys.ON_SILENT, name),
                tracked(name));
    }

    /** Tracked interfaces: valid names, each once; empty words are skipped. */
    private List<String> tracked(String name) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (String iface : keys.find(VipKeys.TRACK, name).orElse(List.of())) {
            if (iface.isEmpty()) {
                continue;
            }
            try {
                io.vipd.config.keys.ValueTypes.interfaceName().parse(iface);
            } catch (Exception e) {
                throw keys.error(VipKeys.TRACK.in(name), "'" + iface + "' is not an interface name");
            }
            if (out.contains(iface)) {
                throw keys.error(VipKeys.TRACK.in(name), "'" + iface + "' is listed twice");
            }
            out.add(iface);
        }
        return out;
    }

    /** Configured peers, each once; empty words are skipped. */
    private List<String> preferred(String name) throws ConfigException {
        String key = VipKeys.PREFER.in(name);
        List<String> preferred = new ArrayList<>();
        for (String id : keys.find(VipKeys.PREFER, name).orElse(List.of())) {
            if (id.isEmpty()) {
                continue;
            }
            if (!peerIds.contains(id)) {
                throw keys.error(key, "'" + id + "' is not a configured peer (peers: " + String.join(", ", peerIds)
                        + ")");
            }
            if (preferred.contains(id)) {
                throw keys.error(key, "'" + id + "' is listed twice");
            }
            if (peers.stream().anyMatch(p -> p.id().equals(id) && p.witness())) {
                throw keys.error(key, "'" + id + "' is a witness (witnesses), which never holds a VIP");
            }
            preferred.add(id);
        }
        return preferred;
    }

    /** Defined checks; one named twice counts once. */
    private List<String> checks(String name) throws ConfigException {
        List<String> vipChecks = new ArrayList<>();
        for (String c : keys.find(VipKeys.CHECKS, name).orElse(List.of())) {
            if (!checks.containsKey(c)) {
                throw keys.error(VipKeys.CHECKS.in(name), "no check named '" + c + "' (defined: "
                        + (checks.isEmpty() ? "none; define check." + c + ".type and the rest"
                                : String.join(", ", checks.keySet())) + ")");
            }
            if (!vipChecks.contains(c)) {
                vipChecks.add(c);
            }
        }
        return vipChecks;
    }
}
