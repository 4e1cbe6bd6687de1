package io.vipd.daemon;

import io.vipd.config.Announce;
import io.vipd.config.VipSpec;
import io.vipd.host.HostAddress;
import io.vipd.host.HostNetwork;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the host hold exactly the VIPs it may hold: adds and removes addresses and announces held VIPs with
 * gratuitous ARP, a burst on takeover and then a slow refresh. It only ever announces a VIP it holds, so non-owners
 * never emit ARP for a VIP. Called from one thread only.
 */
public final class HostActuator {
    private static final Logger LOG = LoggerFactory.getLogger(HostActuator.class);

    private final HostNetwork network;
    private final Map<String, VipSpec> specs = new TreeMap<>();
    private final Announce announce;
    private final Map<String, Held> held = new TreeMap<>();
    private final Map<String, Long> lastErrorLogNanos = new TreeMap<>();

    /** A VIP whose address this host carries, and when it is next announced. */
    private static final class Held {
        final VipSpec spec;
        long epoch;
        final long sinceNanos;
        int burstLeft;
        long nextAnnounceNanos;

        Held(VipSpec spec, long epoch, long now, int burst) {
            this.spec = spec;
            this.epoch = epoch;
            this.sinceNanos = now;
            this.burstLeft = burst;
            this.nextAnnounceNanos = now;
        }
    }

    public HostActuator(HostNetwork network, List<VipSpec> vips, Announce announce) {
        this.network = network;
        vips.forEach(v -> specs.put(v.name(), v));
        this.announce = announce;
    }

    /**
     * Removes every configured VIP address found on this host: at start-up nothing is owned yet, so any such address
     * is left from a crash or was configured by hand, and would make a second MAC answer.
     *
     * @return the addresses removed
     */
    public List<HostAddress> removeStale() throws IOException {
        List<HostAddress> removed = new ArrayList<>();
        for (HostAddress a : network.addresses()) {
            for (VipSpec spec : specs.values()) {
                if (spec.address().equals(a.address()) && !held.containsKey(spec.name())) {
                    network.removeAddress(a.iface(), a.address(), a.prefix());
                    removed.add(a);
                    LOG.warn("removed stale address {}/{} of VIP {} from {}: this node does not own it",
                            a.address().getHostAddress(), a.prefix(), spec.name(), a.iface());
                }
            }
        }
        return removed;
    }

    /** Brings the host in line with {@code holdable} (VIP name → epoch), then sends the announcements that are due. */
    public void sync(Map<String, Long> holdable, long now) {
        for (String name : new ArrayList<>(held.keySet())) {
            if (!holdable.containsKey(name)) {
                release(name, "no longer owned by this node or lease not confirmed");
            }
        }
        for (Map.Entry<String, Long> e : holdable.entrySet()) {
            VipSpec spec = specs.get(e.getKey());
            if (spec == null) {
                continue; // a VIP this node's configuration does not define
            }
            Held h = held.get(e.getKey());
            if (h != null) {
                h.epoch = e.getValue();
                continue;
            }
            try {
                network.addAddress(spec.iface(), spec.address(), spec.prefix());
                held.put(spec.name(), new Held(spec, e.getValue(), now, announce.burstCount()));
                LOG.info("acquired VIP {} {} on {} (epoch {})", spec.name(), spec.cidr(), spec.iface(), e.getValue());
            } catch (IOException ex) {
                logThrottled(spec.name(), now, "cannot add VIP " + spec.name() + " " + spec.cidr() + " to "
                        + spec.iface() + ": " + ex.getMessage());
            }
        }
        announceDue(now);
    }

    private void announceDue(long now) {
        for (Held h : held.values()) {
            if (now - h.nextAnnounceNanos < 0) {
                continue;
            }
            try {
                network.announce(h.spec.iface(), h.spec.address());
            } catch (IOException ex) {
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

    private void release(String name, String why) {
        Held h = held.remove(name);
        try {
            network.removeAddress(h.spec.iface(), h.spec.address(), h.spec.prefix());
            LOG.info("released VIP {} {} from {} (epoch {}): {}", name, h.spec.cidr(), h.spec.iface(), h.epoch, why);
        } catch (IOException ex) {
            // Keep it marked as held so the next sync retries: an address we failed to remove still answers ARP.
            held.put(name, h);
            LOG.error("cannot remove VIP {} {} from {}: {}", name, h.spec.cidr(), h.spec.iface(), ex.getMessage());
        }
    }

    public void releaseAll(String why) {
        for (String name : new ArrayList<>(held.keySet())) {
            release(name, why);
        }
    }

    /** VIP name → nanoTime since which this host carries it. */
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
