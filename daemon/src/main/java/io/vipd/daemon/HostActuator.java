package io.vipd.daemon;

import io.vipd.config.AddressText;
import io.vipd.config.Announce;
import io.vipd.config.VipSpec;
import io.vipd.host.Fence;
import io.vipd.host.HostAddress;
import io.vipd.host.HostNetwork;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the host hold exactly the VIPs it may hold, in this order: address added, kernel fence opened until the
 * lease deadline, announced with gratuitous ARP (a burst on takeover, then a slow refresh); on release, fence closed,
 * then address removed. It only ever announces a VIP it holds, so non-owners never emit ARP for a VIP. If vipd stops
 * running, the kernel closes the fence at the lease deadline and deletes the address when its lifetime ends.
 * Called from one thread only.
 *
 * <p>Longer than vipd's rooms should be (about 400 lines), on purpose for now: every step that makes this host
 * answer or stop answering (address, fence, announcement, the bind gate, the audit's refresh) is here, in the order
 * the safety argument needs, so it can be read top to bottom. The announcement schedule is the next part to move
 * out.
 */
public final class HostActuator {
    private static final Logger LOG = LoggerFactory.getLogger(HostActuator.class);
    /** Kernel lifetime of a VIP address; refreshed every {@link #ADDRESS_REFRESH_NANOS} while held. */
    static final int ADDRESS_LIFETIME_SEC = 3;
    static final long ADDRESS_REFRESH_NANOS = 1_000_000_000L;

    private final HostNetwork network;
    private final Fence fence;
    private final LongSupplier clock;
    private final Map<String, VipSpec> specs = new TreeMap<>();
    private volatile Announce announce;
    private final Map<String, Held> held = new TreeMap<>();
    private final Map<String, Long> lastErrorLogNanos = new TreeMap<>();
    /** The VIPs the fence was last opened for, and until when. */
    private java.util.Set<java.net.InetAddress> fenceOpenFor = java.util.Set.of();
    private long fenceDeadlineNanos;
    private boolean auditedRefresh;
    /** Told when this host starts or stops carrying a VIP (notify hooks); called on the syncing thread. */
    private volatile Events events = (spec, holding, epoch) -> { };
    /** Told of each failed host action ("address", "fence" or "announce"), for the metrics. Must not block. */
    private volatile java.util.function.Consumer<String> failures = action -> { };

    /**
     * Whether this host may bind a VIP now: null if it may, else why not (another MAC answers for it, or it has
     * not been probed yet). Asked before each first bind; a refused VIP is asked again at the next sync.
     */
    @FunctionalInterface
    public interface BindGate {
        String whyNot(VipSpec spec, long now);
    }

    private BindGate bindGate = (spec, now) -> null;
    /** VIPs this host owns but refused to bind, and why (for status). */
    private final Map<String, String> refusedBinds = new TreeMap<>();

    public void gateBinds(BindGate gate) {
        this.bindGate = gate;
    }

    /** VIPs this host owns but does not bind, and why. */
    public Map<String, String> refusedBinds() {
        return Map.copyOf(refusedBinds);
    }

    /** Start and end of carrying a VIP, for notify hooks. Must not block. */
    @FunctionalInterface
    public interface Events {
        void changed(VipSpec spec, boolean holding, long epoch);
    }

    public void onFailure(java.util.function.Consumer<String> failures) {
        this.failures = failures;
    }

    public void onEvents(Events events) {
        this.events = events;
    }

    /** A VIP whose address this host carries, and when it is next announced and refreshed. */
    private static final class Held {
        VipSpec spec;
        long epoch;
        final long sinceNanos;
        int burstLeft;
        long nextAnnounceNanos;
        long nextAddressRefreshNanos;

        Held(VipSpec spec, long epoch, long now, int burst) {
            this.spec = spec;
            this.epoch = epoch;
            this.sinceNanos = now;
            this.burstLeft = burst;
            this.nextAnnounceNanos = now;
            this.nextAddressRefreshNanos = now + ADDRESS_REFRESH_NANOS;
        }
    }

    /**
     * @param clock the monotonic clock (System::nanoTime), read again after each fence update: time that passed
     *              while the update was on its way (a paused process) must not lengthen the lease.
     */
    public HostActuator(HostNetwork network, Fence fence, List<VipSpec> vips, Announce announce, LongSupplier clock) {
        this.network = network;
        this.fence = fence;
        this.clock = clock;
        vips.forEach(v -> specs.put(v.name(), v));
        this.announce = announce;
    }

    /**
     * Start-up: closes the fence for every configured VIP, then removes every configured VIP address found on this
     * host. Nothing is owned yet, so any such address is left from a crash or was configured by hand, and would
     * make a second MAC answer.
     *
     * @return the addresses removed
     */
    public List<HostAddress> installAndRemoveStale() throws IOException {
        fence.install(specs.values().stream().map(VipSpec::address).toList());
        List<HostAddress> removed = new ArrayList<>();
        for (HostAddress a : network.addresses()) {
            for (VipSpec spec : specs.values()) {
                if (spec.address().equals(a.address()) && !held.containsKey(spec.name())) {
                    network.removeAddress(a.iface(), a.address(), a.prefix());
                    removed.add(a);
                    LOG.warn("removed stale address {}/{} of VIP {} from {}: this node does not own it",
                            AddressText.of(a.address()), a.prefix(), spec.name(), a.iface());
                }
            }
        }
        return removed;
    }

    /**
     * Brings the host in line with {@code holdable} (VIP name → epoch), which the lease allows until
     * {@code deadlineNanos}, then sends the announcements that are due.
     */
    public void sync(Map<String, Long> holdable, long deadlineNanos, long now) {
        BatchLog changes = new BatchLog(LOG);
        List<String> releasing = new ArrayList<>();
        Map<String, Long> releasedEpochs = new TreeMap<>();
        for (Map.Entry<String, Held> e : held.entrySet()) {
            if (!holdable.containsKey(e.getKey()) || now - deadlineNanos >= 0) {
                releasing.add(e.getKey());
                releasedEpochs.put(e.getKey(), e.getValue().epoch);
            }
        }
        releasing.forEach(held::remove);
        refusedBinds.keySet().removeIf(name -> !holdable.containsKey(name));
        if (now - deadlineNanos < 0) {
            for (Map.Entry<String, Long> e : holdable.entrySet()) {
                acquire(e.getKey(), e.getValue(), now, changes);
            }
        }
        updateFence(deadlineNanos);
        for (String name : releasing) {
            removeAddress(name, "no longer owned by this node or lease not confirmed", changes);
            events.changed(specs.get(name), false, releasedEpochs.get(name));
        }
        changes.flush();
        if (!auditedRefresh) {
            refreshAddresses(now);
        }
        announceDue(now);
    }

    private void acquire(String name, long epoch, long now, BatchLog changes) {
        VipSpec spec = specs.get(name);
        if (spec == null) {
            return; // a VIP this node's configuration does not define
        }
        Held h = held.get(name);
        if (h != null) {
            h.epoch = epoch;
            return;
        }
        String refused = bindGate.whyNot(spec, now);
        if (refused != null) {
            if (!refused.equals(refusedBinds.put(name, refused))) {
                LOG.warn("not taking VIP {} {} yet: {}", name, spec.cidr(), refused);
            }
            return;
        }
        if (refusedBinds.remove(name) != null) {
            LOG.info("taking VIP {} {} now: no other MAC answers for it", name, spec.cidr());
        }
        try {
            network.addAddress(spec.iface(), spec.address(), spec.prefix(), ADDRESS_LIFETIME_SEC);
            held.put(name, new Held(spec, epoch, now, announce.burstCount()));
            changes.add(name, "acquired on " + spec.iface(), "acquired VIP " + name + " " + spec.cidr() + " on "
                    + spec.iface() + " (epoch " + epoch + ")");
            events.changed(spec, true, epoch);
        } catch (IOException ex) {
            failures.accept("address");
            logThrottled(name, now, "cannot add VIP " + name + " " + spec.cidr() + " to " + spec.iface() + ": "
                    + ex.getMessage());
        }
    }

    /** Opens the fence for exactly the held VIPs until the deadline; no-op when nothing changed. */
    private void updateFence(long deadlineNanos) {
        Map<java.net.InetAddress, Long> wanted = new LinkedHashMap<>();
        held.values().forEach(h -> wanted.put(h.spec.address(), 0L));
        if (wanted.keySet().equals(fenceOpenFor) && (wanted.isEmpty() || deadlineNanos == fenceDeadlineNanos)) {
            return;
        }
        long now = clock.getAsLong();
        long remainingMs = (deadlineNanos - now) / 1_000_000L;
        if (remainingMs <= 0) {
            wanted.clear();
        } else {
            wanted.replaceAll((a, ignored) -> remainingMs);
        }
        try {
            fence.lease(wanted);
            fenceOpenFor = java.util.Set.copyOf(wanted.keySet());
            fenceDeadlineNanos = deadlineNanos;
            if (!wanted.isEmpty() && clock.getAsLong() - deadlineNanos >= 0) {
                // This thread stalled between reading the clock and the kernel taking the timeout: close at once.
                fence.lease(Map.of());
                fenceOpenFor = java.util.Set.of();
            }
        } catch (IOException ex) {
            failures.accept("fence");
            // Safe either way: a fence that did not open does not answer; one that did not close closes by itself.
            logThrottled("fence", now, "cannot update the nftables fence: " + ex.getMessage());
        }
    }

    /**
     * From now on the addresses' lifetimes are refreshed by the caller's audit, which looks at the host's addresses
     * first ({@link #refresh} if present, {@link #restore} if gone), so an address deleted behind vipd's back is
     * noticed and announced instead of silently added back.
     */
    public void refreshByAudit() {
        this.auditedRefresh = true;
    }

    /** Refreshes the lifetime of a held VIP's address, seen present by the audit. */
    public void refresh(String name, long now) {
        Held h = held.get(name);
        if (h == null) {
            return;
        }
        h.nextAddressRefreshNanos = now + ADDRESS_REFRESH_NANOS;
        try {
            network.addAddress(h.spec.iface(), h.spec.address(), h.spec.prefix(), ADDRESS_LIFETIME_SEC);
        } catch (IOException ex) {
            failures.accept("address");
            logThrottled(name, now, "cannot refresh VIP " + name + ": " + ex.getMessage());
        }
    }

    /** A fallback when the audit could not list the addresses: refreshes every held address that is due. */
    public void refreshDue(long now) {
        refreshAddresses(now);
    }

    private void refreshAddresses(long now) {
        for (Held h : held.values()) {
            if (now - h.nextAddressRefreshNanos < 0) {
                continue;
            }
            h.nextAddressRefreshNanos = now + ADDRESS_REFRESH_NANOS;
            try {
                network.addAddress(h.spec.iface(), h.spec.address(), h.spec.prefix(), ADDRESS_LIFETIME_SEC);
            } catch (IOException ex) {
                failures.accept("address");
                logThrottled(h.spec.name(), now, "cannot refresh VIP " + h.spec.name() + ": " + ex.getMessage());
            }
        }
    }

    private void announceDue(long now) {
        for (Held h : held.values()) {
            if (now - h.nextAnnounceNanos < 0) {
                continue;
            }
            try {
                network.announce(h.spec.iface(), h.spec.address());
            } catch (IOException ex) {
                failures.accept("announce");
                logThrottled(h.spec.name(), now, "cannot announce VIP " + h.spec.name() + ": " + ex.getMessage());
            }
            if (h.burstLeft > 1) {
                h.burstLeft--;
                h.nextAnnounceNanos = now + announce.burstIntervalMs() * 1_000_000L;
            } else {
                h.burstLeft = 0;
                h.nextAnnounceNanos = announce.refreshMs() == 0
                        ? Long.MAX_VALUE / 2 + now
                        : now + announce.refreshMs() * 1_000_000L;
            }
        }
    }

    private void removeAddress(String name, String why, BatchLog changes) {
        VipSpec spec = specs.get(name);
        try {
            network.removeAddress(spec.iface(), spec.address(), spec.prefix());
            changes.add(name, "released from " + spec.iface() + ": " + why, "released VIP " + name + " "
                    + spec.cidr() + " from " + spec.iface() + ": " + why);
        } catch (IOException ex) {
            failures.accept("address");
            // The fence is closed already; the address lifetime removes it if this keeps failing.
            LOG.error("cannot remove VIP {} {} from {}: {}", name, spec.cidr(), spec.iface(), ex.getMessage());
        }
    }

    public void releaseAll(String why) {
        BatchLog changes = new BatchLog(LOG);
        Map<String, Long> epochs = new TreeMap<>();
        held.forEach((n, h) -> epochs.put(n, h.epoch));
        held.clear();
        updateFence(clock.getAsLong());
        epochs.forEach((n, epoch) -> {
            removeAddress(n, why, changes);
            events.changed(specs.get(n), false, epoch);
        });
        changes.flush();
    }

    /**
     * A reload: new VIP definitions and announcement settings. A held VIP that was removed, or whose address,
     * prefix or interface changed, is let go (fence first, then the address); every other held VIP is untouched,
     * so it loses no packet. The fence is then told which addresses to guard, without touching its leases.
     */
    public void reconfigure(List<VipSpec> vips, Announce nextAnnounce) {
        BatchLog changes = new BatchLog(LOG);
        Map<String, VipSpec> next = new TreeMap<>();
        vips.forEach(v -> next.put(v.name(), v));
        Map<String, Held> dropped = new TreeMap<>();
        for (java.util.Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Held> e = it.next();
            VipSpec n = next.get(e.getKey());
            VipSpec old = e.getValue().spec;
            if (n == null || !n.address().equals(old.address()) || n.prefix() != old.prefix()
                    || !n.iface().equals(old.iface())) {
                dropped.put(e.getKey(), e.getValue());
                it.remove();
            } else {
                e.getValue().spec = n;
            }
        }
        updateFence(fenceDeadlineNanos);
        dropped.forEach((name, h) -> {
            removeAddress(name, next.containsKey(name) ? "its definition changed (reload)" : "removed from the "
                    + "configuration (reload)", changes);
            events.changed(h.spec, false, h.epoch);
        });
        changes.flush();
        specs.clear();
        specs.putAll(next);
        this.announce = nextAnnounce;
        try {
            fence.guard(vips.stream().map(VipSpec::address).toList());
        } catch (IOException ex) {
            failures.accept("fence");
            LOG.error("cannot update the fenced VIPs after a reload: {}", ex.getMessage());
        }
    }

    /** The VIPs this host carries now, by name. */
    public Map<String, VipSpec> heldSpecs() {
        Map<String, VipSpec> out = new TreeMap<>();
        held.forEach((n, h) -> out.put(n, h.spec));
        return out;
    }

    /**
     * Starts a new burst of gratuitous ARP for a held VIP, so caches that learnt another MAC come back to this one
     * (after a conflict, or after its address was added again). Returns false if the VIP is not held here.
     */
    public boolean announceAgain(String name, long now) {
        Held h = held.get(name);
        if (h == null) {
            return false;
        }
        h.burstLeft = announce.burstCount();
        h.nextAnnounceNanos = now;
        announceDue(now);
        return true;
    }

    /**
     * A held VIP whose address is gone from its interface (deleted by hand or by a network manager): adds it again
     * and announces it. Returns false if the VIP is not held here or the address could not be added.
     */
    public boolean restore(String name, long now) {
        Held h = held.get(name);
        if (h == null) {
            return false;
        }
        try {
            network.addAddress(h.spec.iface(), h.spec.address(), h.spec.prefix(), ADDRESS_LIFETIME_SEC);
        } catch (IOException ex) {
            failures.accept("address");
            logThrottled(name, now, "cannot add VIP " + name + "'s address again: " + ex.getMessage());
            return false;
        }
        h.nextAddressRefreshNanos = now + ADDRESS_REFRESH_NANOS;
        return announceAgain(name, now);
    }

    /**
     * The audit's look at the fence: if its tables are gone (a firewall reload that ran {@code nft flush ruleset},
     * say), installs it again and re-leases the held VIPs at once, so a paused owner is fenced again at its lease
     * deadline. Returns the host's nftables tables, or null if they could not be listed.
     */
    public List<String> auditFence(long now) {
        List<String> tables;
        try {
            tables = fence.tables();
        } catch (IOException ex) {
            failures.accept("fence");
            logThrottled("fence-list", now, "cannot list nftables tables: " + ex.getMessage());
            return null;
        }
        if (!tables.containsAll(fence.ownTables())) {
            LOG.warn("the nftables fence ({}) is gone (nft flush ruleset, or a firewall reload?): installing it "
                    + "again", String.join(", ", fence.ownTables()));
            try {
                fence.install(specs.values().stream().map(VipSpec::address).toList());
                fenceOpenFor = java.util.Set.of();
                updateFence(fenceDeadlineNanos);
            } catch (IOException ex) {
                failures.accept("fence");
                logThrottled("fence", now, "cannot install the nftables fence again: " + ex.getMessage());
            }
        }
        return tables;
    }

    /** VIP name → nanoTime since which this host carries it. */
    /** The VIPs this host carries now: a live view, for the reconciliation on this (the agent) thread. */
    public java.util.Set<String> carried() {
        return java.util.Collections.unmodifiableSet(held.keySet());
    }

    public Map<String, Long> heldSince() {
        Map<String, Long> out = new TreeMap<>();
        held.forEach((n, h) -> out.put(n, h.sinceNanos));
        return out;
    }

    private void logThrottled(String key, long now, String message) {
        Long last = lastErrorLogNanos.get(key);
        if (last == null || now - last > 5_000_000_000L) {
            lastErrorLogNanos.put(key, now);
            LOG.error(message);
        }
    }
}
