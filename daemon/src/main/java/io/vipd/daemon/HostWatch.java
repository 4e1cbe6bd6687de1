package io.vipd.daemon;

import io.vipd.config.AddressText;
import io.vipd.cluster.NodeFacts;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.host.NeighbourTap;
import io.vipd.host.HostAddress;
import io.vipd.host.HostNetwork;
import io.vipd.host.NetInterface;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node sees of its host and its VIP segments, and what it repairs. Each second it reads the VIP
 * interfaces (MAC, link state: what it reports to the group, so a VIP leaves a node whose VIP link is down) and
 * the host's addresses: a held VIP whose address vanished gets it back and is announced again; a VIP address on
 * this host that it does not hold (added by hand, or by another program) is removed, as at start. Each tick it
 * sends the probes the {@link ConflictWatch} says are due and defends held VIPs that someone else answers for: one
 * burst of gratuitous ARP, at most every {@link #DEFEND_INTERVAL_NANOS} per VIP (RFC 5227's DEFEND_INTERVAL).
 * Agent thread.
 */
final class HostWatch {
    private static final Logger LOG = LoggerFactory.getLogger(HostWatch.class);
    static final long AUDIT_INTERVAL_NANOS = 1_000_000_000L;
    static final long DEFEND_INTERVAL_NANOS = 10_000_000_000L;

    private final Supplier<VipdConfig> config;
    private final HostNetwork network;
    private final HostActuator host;
    private final NeighbourTap tap;
    private final ConflictWatch conflicts;
    private final LongSupplier nanos;
    private final Supplier<VipTable> table;
    private Map<String, String> macs = Map.of();
    private Map<String, String> links = Map.of();
    private long nextAuditNanos;
    private boolean audited;
    private final Map<String, Long> lastDefendNanos = new HashMap<>();
    private final Map<String, Long> lastErrorNanos = new HashMap<>();
    /** "address/prefix on iface" → when this node last removed it as a stray VIP address. */
    private final Map<String, Long> strayRemovedNanos = new TreeMap<>();
    /** VIP → the last stray address of it removed here, and when; reported to the group for ten minutes. */
    private final Map<String, Map.Entry<String, Long>> strayByVip = new TreeMap<>();
    static final long STRAY_REPORT_NANOS = 600_000_000_000L;
    private int addressedInterfaces;
    /** The host's nftables tables at the last audit; empty if they could not be listed. */
    private List<String> nftTables = List.of();
    /** What {@link #facts} returned since the last round; null: compute afresh. */
    private Map<String, String> facts;

    HostWatch(Supplier<VipdConfig> config, HostNetwork network, HostActuator host, NeighbourTap tap,
              ConflictWatch conflicts, Supplier<VipTable> table, LongSupplier nanos) {
        this.config = config;
        this.network = network;
        this.host = host;
        this.tap = tap;
        this.conflicts = conflicts;
        this.nanos = nanos;
        this.table = table;
        host.refreshByAudit();
        host.gateBinds((spec, now) -> table.get() == null ? "not started" : conflicts.bindRefusal(spec, table.get(),
                now));
    }

    ConflictWatch conflicts() {
        return conflicts;
    }

    /** One round: the audit when due, the probes due, and defence of held VIPs in conflict. */
    void tick(VipTable table) {
        long now = nanos.getAsLong();
        if (!audited || now - nextAuditNanos >= 0) {
            audited = true;
            nextAuditNanos = now + AUDIT_INTERVAL_NANOS;
            audit(now);
        }
        for (Map.Entry<String, InetAddress> probe : conflicts.tick(table)) {
            try {
                tap.probe(probe.getKey(), probe.getValue());
            } catch (IOException e) {
                throttled("probe " + probe.getKey(), now, "cannot probe " + AddressText.of(probe.getValue())
                        + " on " + probe.getKey() + ": " + e.getMessage());
            }
        }
        defend(table, now);
        facts = null; // computed afresh when next asked
    }

    void heard(NeighbourTap.Heard heard, VipTable table) {
        conflicts.heard(heard, table);
    }

    /**
     * What this node reports to the group: VIP interfaces' MACs and links, the conflicts it hears, and the VIPs
     * whose owner answers none of its probes. Computed once per watch round: the reconciliation asks on every tick,
     * and with a thousand VIPs walking them all each time cost more than anything else the agent did.
     */
    Map<String, String> facts(String self) {
        Map<String, String> f = facts;
        if (f == null) {
            f = computeFacts(self);
            facts = f;
        }
        return f;
    }

    private Map<String, String> computeFacts(String self) {
        VipTable t = table.get();
        Map<String, Long> silent = t == null ? Map.of()
                : conflicts.silent(self, t, iface -> NodeFacts.UP.equals(links.get(iface)));
        long now = nanos.getAsLong();
        strayByVip.values().removeIf(e -> now - e.getValue() >= STRAY_REPORT_NANOS);
        Map<String, String> stray = new TreeMap<>();
        strayByVip.forEach((vip, e) -> stray.put(vip, e.getKey()));
        return NodeFacts.report(macs, links, conflicts.current(self), silent, stray);
    }

    /**
     * The held addresses first (their lifetimes are refreshed here), then links and the tap, then the fence, each
     * on its own: a failure in one must not keep a held address from being refreshed.
     */
    private void audit(long now) {
        VipdConfig c = config.get();
        try {
            auditAddresses(c, now);
        } catch (RuntimeException e) {
            throttled("addresses", now, "address audit failed: " + e);
            host.refreshDue(now);
        }
        try {
            auditLinks(c, now);
        } catch (RuntimeException e) {
            throttled("links", now, "link audit failed: " + e);
        }
        List<String> tables = host.auditFence(now);
        nftTables = tables == null ? List.of() : List.copyOf(tables);
    }

    private void auditLinks(VipdConfig c, long now) {
        Map<String, NetInterface> byName = new HashMap<>();
        try {
            network.interfaces().forEach(i -> byName.put(i.name(), i));
        } catch (IOException e) {
            throttled("links", now, "cannot list interfaces: " + e.getMessage());
            return;
        }
        Map<String, String> nextMacs = new TreeMap<>();
        Map<String, String> nextLinks = new TreeMap<>();
        Map<NetInterface, Set<InetAddress>> watched = new HashMap<>();
        for (VipSpec spec : c.vips()) {
            for (String tracked : spec.links()) {
                NetInterface t = byName.get(tracked);
                nextLinks.put(tracked, t == null ? "missing" : t.linkState());
            }
            NetInterface i = byName.get(spec.iface());
            if (i == null) {
                continue;
            }
            nextLinks.put(spec.iface(), i.linkState());
            if (i.mac() != null) {
                nextMacs.put(spec.iface(), i.mac().toString());
                watched.computeIfAbsent(i, k -> new HashSet<>()).add(spec.address());
            }
        }
        nextLinks.forEach((iface, state) -> {
            String before = links.get(iface);
            if (before != null && !before.equals(state)) {
                if (NodeFacts.UP.equals(state)) {
                    LOG.info("link {} is up again: this node may hold its VIPs again", iface);
                } else {
                    LOG.warn("link {} is {}: this node cannot serve its VIPs there; they move to another node",
                            iface, state);
                }
            }
        });
        macs = nextMacs;
        links = nextLinks;
        try {
            tap.listen(watched);
        } catch (IOException e) {
            throttled("listen", now, e.getMessage());
        }
    }

    private void auditAddresses(VipdConfig c, long now) {
        List<HostAddress> present;
        try {
            present = network.addresses();
        } catch (IOException e) {
            throttled("addresses", now, "cannot list addresses: " + e.getMessage());
            host.refreshDue(now); // the held addresses must not expire because the listing failed
            return;
        }
        addressedInterfaces = (int) present.stream().map(HostAddress::iface).filter(i -> !i.equals("lo"))
                .distinct().count();
        Map<String, VipSpec> held = host.heldSpecs();
        Set<String> presentAt = new java.util.HashSet<>();
        present.forEach(a -> presentAt.add(a.iface() + " " + AddressText.of(a.address())));
        for (VipSpec spec : held.values()) {
            if (presentAt.contains(spec.iface() + " " + AddressText.of(spec.address()))) {
                host.refresh(spec.name(), now);
            } else if (host.restore(spec.name(), now)) {
                LOG.warn("VIP {} {}: its address was removed from {} behind vipd's back (by hand or by a network "
                        + "manager); added it again and announced it", spec.name(), spec.cidr(), spec.iface());
            }
        }
        for (HostAddress a : present) {
            VipSpec spec = c.vipAt(a.address()).orElse(null);
            if (spec == null || held.containsKey(spec.name()) && spec.iface().equals(a.iface())) {
                continue; // no VIP's address, or this node's own
            }
            try {
                network.removeAddress(a.iface(), a.address(), a.prefix());
                String where = AddressText.of(a.address()) + "/" + a.prefix() + " on " + a.iface();
                strayRemovedNanos.put(where, now);
                strayByVip.put(spec.name(), Map.entry(where, now));
                LOG.warn("removed {}/{} from {}: it is VIP {}, which this node does not hold (it was added "
                        + "by hand or by another program, and would make a second MAC answer)",
                        AddressText.of(a.address()), a.prefix(), a.iface(), spec.name());
            } catch (IOException e) {
                throttled("stray " + spec.name(), now, "cannot remove stray VIP address "
                        + AddressText.of(a.address()) + " from " + a.iface() + ": " + e.getMessage());
            }
        }
    }

    private void defend(VipTable table, long now) {
        Set<String> heardHere = conflicts.conflictedVips();
        Set<String> reported = NodeFacts.conflictedVips(table);
        for (String vip : host.heldSpecs().keySet()) {
            if (!heardHere.contains(vip) && !reported.contains(vip)) {
                continue;
            }
            Long last = lastDefendNanos.get(vip);
            if (last == null || now - last >= DEFEND_INTERVAL_NANOS) {
                lastDefendNanos.put(vip, now);
                host.announceAgain(vip, now);
                LOG.info("VIP {}: another MAC answers for it; announced it again so caches come back here", vip);
            }
        }
    }

    private void throttled(String key, long now, String message) {
        Long last = lastErrorNanos.get(key);
        if (last == null || now - last > 60_000_000_000L) {
            lastErrorNanos.put(key, now);
            LOG.warn(message);
        }
    }

    /** Probes {@code spec} now; null if sent, else why not (for vipctl doctor). */
    String probeNow(VipSpec spec) {
        try {
            tap.probe(spec.iface(), spec.address());
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Stray VIP addresses this node removed within {@code windowNanos}, "address/prefix on iface". */
    List<String> strayRemovedWithin(long windowNanos) {
        long now = nanos.getAsLong();
        return strayRemovedNanos.entrySet().stream().filter(e -> now - e.getValue() < windowNanos)
                .map(Map.Entry::getKey).toList();
    }

    /** The host's nftables tables at the last audit, "family name". */
    List<String> nftTables() {
        return nftTables;
    }

    /** Interfaces (loopback aside) with an IPv4 address at the last audit. */
    int addressedInterfaces() {
        return addressedInterfaces;
    }

    /** Stops listening (the tap's threads end within their read timeout). */
    void close() {
        tap.close();
    }
}
