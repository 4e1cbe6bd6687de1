package io.vipd.security;

import io.vipd.config.Peer;
import io.vipd.config.VipdConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The TLS side of this node's Raft traffic while the daemon runs: the current material (swapped by a reload), the
 * trust and key managers handed to Ratis once at start, which always read the current material, and what status
 * and the journal say about it.
 */
public final class PeerTls {
    /** Expiry closer than this is warned about at start, on reload and daily. */
    public static final Duration WARN_BEFORE = Duration.ofDays(30);

    private final AtomicReference<TlsMaterial> material;
    /** The members of the group's membership (the file's peers until this node learns another one). */
    private final AtomicReference<PeerTrust.Members> members;
    /** Members of a membership change this node received, by id: trusted until the change commits or times out. */
    private final Map<String, Admitted> admitted = new java.util.concurrent.ConcurrentHashMap<>();
    /** {@link #members} with the admitted ones, rebuilt when either changes; null when it must be rebuilt. */
    private volatile PeerTrust.Members trusted;
    private final LongSupplier nanoClock;

    /** How long a member admitted by a membership change is trusted before the change must have committed. */
    static final long ADMITTED_NANOS = 120_000_000_000L;

    private record Admitted(String address, long untilNanos) {}
    private final PeerRefusalLog refusals;
    private final PeerTrust trust;
    private final PeerKeys keys;
    private final Clock clock;

    public PeerTls(TlsMaterial material, PeerTrust.Members members, Clock clock, LongSupplier nanoClock) {
        this.material = new AtomicReference<>(material);
        this.members = new AtomicReference<>(members);
        this.clock = clock;
        this.refusals = new PeerRefusalLog(nanoClock);
        this.nanoClock = nanoClock;
        this.trust = new PeerTrust(this.material::get, this::trusted, refusals, clock);
        this.keys = new PeerKeys(this.material::get);
    }

    /** The members of {@code config} and the host:port each is reached at. */
    public static PeerTrust.Members members(VipdConfig config) {
        return members(config.peers());
    }

    /** {@code peers} and the host:port each is reached at. */
    private static PeerTrust.Members members(java.util.List<Peer> peers) {
        Map<String, String> byAddress = new LinkedHashMap<>();
        peers.forEach(p -> byAddress.put(p.address(), p.id()));
        return new PeerTrust.Members(peers.stream().map(Peer::id).toList(), byAddress);
    }

    /** The group's membership changed: the next handshake trusts its members (and no longer the ones removed). */
    public void membership(java.util.List<Peer> peers) {
        PeerTrust.Members next = members(peers);
        if (!next.equals(members.get())) {
            members.set(next);
            trusted = null;
        }
    }

    /**
     * Trusts {@code id} at {@code address} for a while: a member of a membership change this node received, which
     * it must reach (to catch it up) before the change commits and makes it a member.
     */
    public void admit(String id, String address) {
        Admitted before = admitted.put(id, new Admitted(address, nanoClock.getAsLong() + ADMITTED_NANOS));
        if (before == null || !before.address().equals(address)) {
            trusted = null;
        }
    }

    private PeerTrust.Members trusted() {
        PeerTrust.Members t = trusted;
        if (t != null && admitted.isEmpty()) {
            return t;
        }
        long now = nanoClock.getAsLong();
        if (admitted.values().removeIf(a -> now - a.untilNanos() > 0)) {
            t = null;
        }
        if (t == null) {
            PeerTrust.Members base = members.get();
            java.util.List<String> ids = new java.util.ArrayList<>(base.ids());
            Map<String, String> byAddress = new LinkedHashMap<>(base.idByAddress());
            admitted.forEach((id, a) -> {
                if (!ids.contains(id)) {
                    ids.add(id);
                }
                byAddress.putIfAbsent(a.address(), id);
            });
            t = new PeerTrust.Members(java.util.List.copyOf(ids), Map.copyOf(byAddress));
            trusted = t;
        }
        return t;
    }

    /** Takes material a reload loaded and checked: the next handshake uses it; open connections keep theirs. */
    public void update(TlsMaterial next) {
        material.set(next);
    }

    public TlsMaterial material() {
        return material.get();
    }

    public PeerTrust trust() {
        return trust;
    }

    public PeerKeys keys() {
        return keys;
    }

    public PeerRefusalLog refusals() {
        return refusals;
    }

    /** One line for status and the journal: whose certificate, and until when it and the CA are valid. */
    public String describe() {
        TlsMaterial m = material.get();
        Instant now = clock.instant();
        return "mutual TLS: certificate of " + m.nodeId() + " valid until " + m.certificateExpires() + " ("
                + daysLeft(now, m.certificateExpires()) + "), cluster CA until " + m.authorityExpires() + " ("
                + daysLeft(now, m.authorityExpires()) + "); " + refusals.total() + " peer(s) refused since start";
    }

    /** A warning when this node's certificate or the CA expires within {@link #WARN_BEFORE}. */
    public Optional<String> expiryWarning() {
        TlsMaterial m = material.get();
        Instant now = clock.instant();
        Instant soon = now.plus(WARN_BEFORE);
        if (m.certificateExpires().isBefore(soon)) {
            return Optional.of("this node's TLS certificate expires " + m.certificateExpires() + " ("
                    + daysLeft(now, m.certificateExpires()) + "): issue a new one with 'vipctl cert node' and "
                    + "'systemctl reload vipd'; once it expires, the other members refuse this node");
        }
        if (m.authorityExpires().isBefore(soon)) {
            return Optional.of("the cluster CA expires " + m.authorityExpires() + " ("
                    + daysLeft(now, m.authorityExpires()) + "): create a new CA, add it to every node's tls.ca "
                    + "bundle, reload, then issue new node certificates");
        }
        return Optional.empty();
    }

    private static String daysLeft(Instant now, Instant until) {
        // toDays() truncates toward zero: a day after expiry is -0 days, so test the sign of the duration itself
        Duration left = Duration.between(now, until);
        return left.isNegative() ? "expired" : left.toDays() + " days left";
    }
}
