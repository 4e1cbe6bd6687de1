package io.vipd.daemon;

import io.vipd.config.AddressText;
import io.vipd.cluster.NodeFacts;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.host.NeighbourTap;
import io.vipd.host.MacAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who answers for each VIP, as this node hears it. Every ARP or neighbour discovery frame that claims a VIP (ARP's
 * sender address, an advertisement's target or a solicitation's source is the VIP; see {@link NeighbourClaims})
 * is compared with the MAC of the VIP's holder from the replicated table; any other MAC starts a <em>conflict
 * episode</em> for that (VIP, MAC), which is logged once, told to the listener (notify hook) and reported to the
 * group, and ends when the MAC has not been heard for {@link io.vipd.config.Watch#conflictClearMs}. It also says
 * which probes are due: answers to probes are unicast to the prober, so without probing a node would only hear
 * gratuitous ARP and requests (IPv6 probes are answered to all nodes). Agent thread; time from the injected clocks.
 */
final class ConflictWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ConflictWatch.class);
    /**
     * How long after the table moved a VIP away the previous holder's MAC is still accepted: its frames may have
     * been on their way, or queued for this thread, when the change applied here. Its fence closed before the new
     * owner was assigned, so it cannot answer anew.
     */
    static final long GRACE_NANOS = 2_000_000_000L;
    /**
     * How long a frame that looks like a conflict waits before it is judged again against the table of that moment:
     * a new owner announces as soon as it applied its assignment, and this node may apply it a little later.
     */
    static final long SETTLE_NANOS = 2_000_000_000L;
    /** How long a suspect waits for a holder that has not reported its MAC yet (a starting node) before judging. */
    static final long MAC_PATIENCE_NANOS = 10_000_000_000L;
    /** A VIP is probed for this long before this node binds it for the first time (RFC 5227's probe wait). */
    static final long PROBE_BEFORE_BIND_NANOS = 500_000_000L;
    /** MACs tracked per VIP: a flood of forged MACs costs bounded memory, the rest is counted. */
    static final int MAX_MACS_PER_VIP = 8;

    /** A frame that claims a VIP: which VIP, from which MAC, and what kind of frame. */
    record Claim(VipSpec vip, MacAddress mac, String kind) {}

    /**
     * One (VIP, MAC) episode: since when (wall clock, for operators) and when last heard (monotonic). Unconfirmed
     * until it has outlasted {@link #SETTLE_NANOS} and still does not fit the table; only confirmed episodes are
     * conflicts.
     */
    static final class Episode {
        final Claim claim;
        final String vip;
        final String mac;
        final long sinceWallMillis;
        final long firstHeardNanos;
        long lastHeardNanos;
        long frames;
        boolean confirmed;

        Episode(Claim claim, long sinceWallMillis, long now) {
            this.claim = claim;
            this.vip = claim.vip().name();
            this.mac = claim.mac().toString();
            this.sinceWallMillis = sinceWallMillis;
            this.firstHeardNanos = now;
            this.lastHeardNanos = now;
        }
    }

    /** Told when an episode starts (on the agent thread); the notify hook. */
    interface Listener {
        void conflict(VipSpec spec, long epoch, String mac);
    }

    private final Supplier<VipdConfig> config;
    private final LongSupplier nanos;
    private final LongSupplier wallMillis;
    private final Map<String, Map<String, Episode>> episodes = new TreeMap<>();
    private final Map<String, Long> dropped = new HashMap<>();
    /** VIP → the holder the table showed last time this node looked, and since when it is no longer holder. */
    private final HolderView holders = new HolderView();
    private final ProbeSchedule probes;
    private volatile Listener listener = (spec, epoch, mac) -> { };
    /** While vipctl doctor listens: every claim heard, the holder's included. */
    private java.util.function.Consumer<Claim> recorder;
    private BooleanSupplier tableCurrent = () -> true;

    ConflictWatch(Supplier<VipdConfig> config, LongSupplier nanos, LongSupplier wallMillis, RandomGenerator jitter) {
        this.config = config;
        this.nanos = nanos;
        this.wallMillis = wallMillis;
        this.probes = new ProbeSchedule(jitter);
    }

    void onConflict(Listener listener) {
        this.listener = listener;
    }

    /**
     * Tells the watch whether this node's table can be current: its renewals commit, so it is in touch with a
     * majority (what it applies may still lag by moments, which the settle step absorbs). A node cut off from the
     * group has an old table: the VIP's owner may have changed without it, and a member it sees answering may be the
     * new owner. Only MACs that no member reported are judged then.
     */
    void tableCurrentWhile(BooleanSupplier current) {
        this.tableCurrent = current;
    }

    /** A frame heard on {@code iface}: a conflict if it claims a VIP from a MAC that may not answer for it. */
    void heard(NeighbourTap.Heard heard, VipTable table) {
        VipdConfig c = config.get();
        Claim claim = NeighbourClaims.classify(heard.frame(), a -> c.vipAt(a).orElse(null));
        if (claim == null || !claim.vip().iface().equals(heard.iface())) {
            return; // the VIP is defined on another interface of this node: not what this node watches there
        }
        if (recorder != null) {
            recorder.accept(claim);
        }
        String vip = claim.vip().name();
        String mac = claim.mac().toString();
        long now = heard.nanos();
        holders.observe(vip, table.vip(vip).holder(), now);
        VipState state = table.vip(vip);
        String holderMac = state.holder() == null ? null
                : NodeFacts.mac(table, state.holder(), claim.vip().iface()).orElse(null);
        if (mac.equalsIgnoreCase(holderMac)) {
            holders.heardHolder(vip, now);
            return;
        }
        if (mayAnswer(table, claim.vip(), state, mac, holderMac, now)) {
            return;
        }
        Map<String, Episode> forVip = episodes.computeIfAbsent(vip, v -> new LinkedHashMap<>());
        Episode e = forVip.get(mac);
        if (e == null) {
            if (forVip.size() >= MAX_MACS_PER_VIP) {
                dropped.merge(vip, 1L, Long::sum);
                return;
            }
            e = new Episode(claim, wallMillis.getAsLong(), now);
            forVip.put(mac, e);
        }
        e.lastHeardNanos = now;
        e.frames++;
    }

    /**
     * Judges a suspect again with the table of now: gone if it fits it now (this node had applied the change
     * late), confirmed if it still does not, unless the holder has not reported its MAC yet.
     */
    private boolean settle(Episode e, VipTable table, long now) {
        if (!tableCurrent.getAsBoolean() && NodeFacts.memberWithMac(table, e.mac).isPresent()) {
            return true; // cannot tell while cut off: judged once this node's table is current again
        }
        VipState state = table.vip(e.vip);
        String holderMac = state.holder() == null ? null
                : NodeFacts.mac(table, state.holder(), e.claim.vip().iface()).orElse(null);
        if (e.mac.equalsIgnoreCase(holderMac) || mayAnswer(table, e.claim.vip(), state, e.mac, holderMac,
                e.lastHeardNanos)) {
            return false;
        }
        if (state.holder() != null && holderMac == null && now - e.firstHeardNanos < MAC_PATIENCE_NANOS) {
            return true; // cannot tell yet: keep it unconfirmed
        }
        e.confirmed = true;
        started(table, e.claim, state, holderMac);
        return true;
    }

    /**
     * Whether {@code mac} may answer for the VIP though it is not the holder's: the previous owner in a handover
     * (it answers until it confirms), a holder of the last seconds, or a member's MAC while the holder's MAC is not
     * known yet (it has not reported it; judging would be guessing).
     */
    private boolean mayAnswer(VipTable table, VipSpec spec, VipState state, String mac, String holderMac, long now) {
        if (state.releasing() != null
                && mac.equalsIgnoreCase(NodeFacts.mac(table, state.releasing(), spec.iface()).orElse(""))) {
            return true;
        }
        for (String former : holders.formerHolders(spec.name())) {
            if (holders.formerWithin(spec.name(), former, now, GRACE_NANOS)
                    && mac.equalsIgnoreCase(NodeFacts.mac(table, former, spec.iface()).orElse(""))) {
                return true;
            }
        }
        return state.holder() != null && holderMac == null && NodeFacts.memberWithMac(table, mac).isPresent();
    }

    private void started(VipTable table, Claim claim, VipState state, String holderMac) {
        VipSpec spec = claim.vip();
        String mac = claim.mac().toString();
        Optional<String> member = NodeFacts.memberWithMac(table, mac);
        String owner = state.holder() == null ? "it has no owner now"
                : "its owner is " + state.holder() + (holderMac == null ? "" : " (" + holderMac + ")");
        String who = member.map(m -> "MAC " + mac + " is " + m + ": that member answers for a VIP it does not own "
                        + "(an address added by hand, or a second daemon); run vipctl doctor there")
                .orElse("MAC " + mac + " is not a member of cluster " + config.get().clusterName() + ": a host "
                        + "outside the cluster has " + AddressText.of(spec.address()) + " configured or answers "
                        + "for it; find it by its MAC (switch MAC table, `ip neigh`) and remove the address there");
        LOG.warn("CONFLICT on VIP {} {}: MAC {} answers for it ({} heard on {}), but {}. {}", spec.name(),
                AddressText.of(spec.address()), mac, claim.kind(), spec.iface(), owner, who);
        listener.conflict(spec, state.epoch(), mac);
    }

    /**
     * VIP → epoch for each VIP whose holder (another node, its MAC known) this node has not heard answer its probes
     * for {@code watch.silent.after.ms}, counted from when it became holder. Empty when probing is off.
     */
    Map<String, Long> silent(String self, VipTable table, java.util.function.Predicate<String> linkUp) {
        Map<String, Long> out = new TreeMap<>();
        VipdConfig c = config.get();
        if (c.watch().probeIntervalMs() <= 0) {
            return out;
        }
        long now = nanos.getAsLong();
        long after = c.watch().silentAfterMs(c.vips().size()) * 1_000_000L;
        for (VipSpec spec : c.vips()) {
            VipState s = table.vip(spec.name());
            if (s.holder() == null || s.holder().equals(self) || !linkUp.test(spec.iface())
                    || NodeFacts.mac(table, s.holder(), spec.iface()).isEmpty()) {
                continue;
            }
            if (holders.quietNanos(spec.name(), s.holder(), now) >= after) {
                out.put(spec.name(), s.epoch());
            }
        }
        return out;
    }

    /** Follows the table, ends episodes not heard for a while, and returns the probes now due (iface, address). */
    List<Map.Entry<String, InetAddress>> tick(VipTable table) {
        long now = nanos.getAsLong();
        VipdConfig c = config.get();
        long clearNanos = c.watch().conflictClearMs() * 1_000_000L;
        holders.forgetOld(now);
        for (VipSpec spec : c.vips()) {
            holders.observe(spec.name(), table.vip(spec.name()).holder(), now);
        }
        for (Map.Entry<String, Map<String, Episode>> forVip : episodes.entrySet()) {
            forVip.getValue().values().removeIf(e -> {
                if (c.vip(e.vip).isEmpty()) {
                    return true;
                }
                if (!e.confirmed && now - e.firstHeardNanos >= SETTLE_NANOS && !settle(e, table, now)) {
                    return true; // it fits the table now: this node had applied a change late
                }
                if (!e.confirmed) {
                    return now - e.lastHeardNanos >= clearNanos;
                }
                boolean over = now - e.lastHeardNanos >= clearNanos;
                if (over) {
                    LOG.info("VIP {}: MAC {} no longer heard answering for it ({} frames since {})", e.vip, e.mac,
                            e.frames, java.time.Instant.ofEpochMilli(e.sinceWallMillis));
                }
                return over;
            });
        }
        episodes.values().removeIf(Map::isEmpty);
        return probes.due(c.vips(), c.watch().probeIntervalMs(c.vips().size()), now);
    }

    /**
     * Why this node may not bind {@code spec} now, or null: it has not probed it for
     * {@link #PROBE_BEFORE_BIND_NANOS} yet (a VIP new to this node), or, with {@code conflict = refuse}, a MAC that is
     * no member's answers for it. Members' MACs never hold a bind back: failovers and handovers are not delayed.
     */
    String bindRefusal(VipSpec spec, VipTable table, long now) {
        VipdConfig c = config.get();
        if (c.watch().probeIntervalMs() > 0) {
            long probedFor = probes.probedForNanos(spec.name(), now);
            if (probedFor < 0 || probedFor < PROBE_BEFORE_BIND_NANOS) {
                return "probing it first (" + PROBE_BEFORE_BIND_NANOS / 1_000_000L + " ms before a first bind)";
            }
        }
        if (spec.conflict() == VipSpec.ConflictPolicy.WARN) {
            return null;
        }
        long clearNanos = c.watch().conflictClearMs() * 1_000_000L;
        for (Episode e : episodes.getOrDefault(spec.name(), Map.of()).values()) {
            if (now - e.lastHeardNanos < clearNanos && NodeFacts.memberWithMac(table, e.mac).isEmpty()) {
                return "MAC " + e.mac + " (not a member of cluster " + c.clusterName() + ") answers for it ("
                        + e.claim.kind() + "; vip." + spec.name() + ".conflict = refuse)";
            }
        }
        return null;
    }

    /** Hands every claim heard from now on to {@code recorder} (null: stop). Agent thread. */
    void record(java.util.function.Consumer<Claim> recorder) {
        this.recorder = recorder;
    }

    /** The VIPs with a conflict this node hears now. */
    java.util.Set<String> conflictedVips() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        episodes.forEach((vip, m) -> {
            if (m.values().stream().anyMatch(e -> e.confirmed)) {
                out.add(vip);
            }
        });
        return out;
    }

    /** This node's current episodes, oldest first, as reported to the group. */
    List<NodeFacts.Conflict> current(String self) {
        List<NodeFacts.Conflict> out = new ArrayList<>();
        episodes.values().forEach(m -> m.values().stream().filter(e -> e.confirmed).forEach(e -> out.add(
                new NodeFacts.Conflict(e.vip, e.mac, self, e.sinceWallMillis, e.claim.kind()))));
        out.sort(java.util.Comparator.comparingLong(NodeFacts.Conflict::sinceMillis));
        return out;
    }

    /** Milliseconds since this node last heard the holder answer for {@code vip}, or -1 if not since it became holder. */
    long sinceHolderHeardMillis(String vip) {
        Long t = holders.lastHeard(vip);
        return t == null ? -1 : (nanos.getAsLong() - t) / 1_000_000L;
    }

    /** Frames from further MACs beyond {@link #MAX_MACS_PER_VIP}, per VIP. */
    long droppedFor(String vip) {
        return dropped.getOrDefault(vip, 0L);
    }
}
