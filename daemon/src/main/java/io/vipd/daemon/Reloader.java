package io.vipd.daemon;

import io.vipd.config.ConfigException;
import io.vipd.config.ConfigLoader;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.config.keys.ConfigKeys;
import io.vipd.health.HealthMonitor;
import io.vipd.host.HostNetwork;
import io.vipd.host.LinuxHostNetwork;
import io.vipd.host.NetInterface;
import io.vipd.config.keys.PeerKeys;
import io.vipd.security.PeerTls;
import io.vipd.security.TlsMaterial;
import java.io.IOException;
import java.time.Clock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code systemctl reload vipd} (SIGHUP) and {@code vipctl reload}: reads the configuration file again and applies
 * it without a restart. A file with any error is rejected whole, with the same messages as {@code --check-config},
 * and the running configuration stays in force. VIPs added get owners, removed ones are released, redefined ones
 * are moved to the new address; VIPs whose definition did not change are not touched and lose no packet. What the
 * Raft group itself depends on (node id, cluster name, peers, data directory, control socket and group, timing) only
 * changes with a restart: a reload that changes it is refused. Which keys those are is declared in the key
 * catalogue ({@link ConfigKeys}, each key's {@code reloadable}).
 */
public final class Reloader {
    private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

    private final Path file;
    private final OwnershipAgent agent;
    private final NotifyHookRunner hooks;
    private VipdConfig current;
    private HealthMonitor health;
    /** This node's Raft TLS, or null when insecure (switching either way takes a restart). */
    private final PeerTls tls;

    public Reloader(Path file, VipdConfig current, OwnershipAgent agent, NotifyHookRunner hooks,
                    HealthMonitor health, PeerTls tls) {
        this.tls = tls;
        this.file = file;
        this.current = current;
        this.agent = agent;
        this.hooks = hooks;
        this.health = health;
    }

    public synchronized HealthMonitor health() {
        return health;
    }

    /**
     * @param caller who asked: SIGHUP ({@link io.vipd.control.Caller#signal}), or the vipctl caller
     * @return a one-line summary of what changed
     * @throws IllegalArgumentException with the problem, when the new file is rejected (nothing was changed)
     */
    public synchronized String reload(io.vipd.control.Caller caller) throws Exception {
        boolean ok = false;
        try {
            String summary = apply(caller);
            ok = true;
            return summary;
        } finally {
            onResult.accept(ok);
        }
    }

    /** Told each reload's outcome (true: applied): the metrics. */
    private volatile java.util.function.Consumer<Boolean> onResult = ok -> { };

    void onResult(java.util.function.Consumer<Boolean> onResult) {
        this.onResult = onResult;
    }

    private String apply(io.vipd.control.Caller caller) throws Exception {
        LOG.info("reload of {} requested by {}", file, caller.describe());
        ConfigLoader loader = new ConfigLoader();
        VipdConfig next;
        TlsMaterial material;
        // A netlink socket of its own: the daemon's is the agent thread's, and netlink sockets are one-request-at-a-time.
        try (HostNetwork network = new LinuxHostNetwork()) {
            next = loader.load(file);
            loader.checkHost(next, network.interfaces().stream().map(NetInterface::name).collect(Collectors.toSet()));
            // Certificates are read anew: rotating them is a reload, not a restart.
            material = loader.checkTls(next, TlsMaterial.loader(Clock.systemUTC()));
        } catch (ConfigException e) {
            LOG.error("reload rejected, the running configuration stays in force: {}", e.getMessage());
            throw new IllegalArgumentException(e.getMessage() + " (reload rejected; the running configuration "
                    + "stays in force)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot list this host's interfaces to check " + file + ": "
                    + e.getMessage());
        }
        List<String> restartOnly = new ArrayList<>(ConfigKeys.restartOnlyChanges(current, next));
        // The peers are the group's membership: a reload that changes them proposes the change to the group.
        boolean peersChanged = restartOnly.remove(PeerKeys.PEER.restartLabel());
        if (!restartOnly.isEmpty()) {
            String msg = file + ": " + String.join(", ", restartOnly) + " changed: that takes a restart "
                    + "(systemctl restart vipd); reload rejected, the running configuration stays in force";
            LOG.error(msg);
            throw new IllegalArgumentException(msg);
        }
        String membership = "";
        if (peersChanged) {
            try {
                String changed = agent.membershipChanges().propose(caller, next.peers());
                membership = changed == null ? "; peers now as the group's members" : "; membership " + changed;
            } catch (IllegalArgumentException | IllegalStateException e) {
                String msg = file + ": the peers changed, and the membership change they ask for was not made: "
                        + e.getMessage() + "; reload rejected, the running configuration stays in force";
                LOG.error(msg);
                throw new IllegalArgumentException(msg);
            }
        }
        Map<String, VipSpec> before = byName(current.vips());
        Map<String, VipSpec> after = byName(next.vips());
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> redefined = new ArrayList<>();
        List<String> policy = new ArrayList<>();
        after.forEach((name, v) -> {
            VipSpec old = before.get(name);
            if (old == null) {
                added.add(name);
            } else if (!old.cidr().equals(v.cidr()) || !old.iface().equals(v.iface())) {
                redefined.add(name);
            } else if (!old.equals(v)) {
                policy.add(name);
            }
        });
        before.keySet().stream().filter(n -> !after.containsKey(n)).forEach(removed::add);

        String certificates = "";
        if (tls != null && material != null) {
            boolean rotated = !material.chain().equals(tls.material().chain())
                    || !material.authorities().equals(tls.material().authorities());
            tls.update(material);
            tls.expiryWarning().ifPresent(w -> LOG.warn("{}", w));
            certificates = rotated ? "; TLS certificates re-read (" + tls.describe() + ")" : "";
        }
        agent.reconfigure(next);
        hooks.setHooks(next.hooks());
        boolean checksChanged = !current.checks().equals(next.checks()) || !checkLists(current).equals(checkLists(next));
        if (checksChanged) {
            health.close();
            health = HealthMonitor.of(next, agent::healthChanged);
            if (health.hasChecks()) {
                health.start();
            } else {
                agent.healthChanged(Map.of());
            }
        }
        current = next;
        String summary = "reloaded " + file + ": added " + list(added) + "; removed " + list(removed)
                + "; redefined " + list(redefined) + "; placement settings changed " + list(policy)
                + (checksChanged ? "; health checks restarted" : "") + certificates + membership + "; "
                + (next.vips().size() - added.size() - redefined.size() - policy.size()) + " VIPs unchanged";
        LOG.info(summary);
        return summary;
    }

    /** Which VIPs the health monitor watches, with their checks: VIPs without checks do not concern it. */
    private static Map<String, List<String>> checkLists(VipdConfig c) {
        Map<String, List<String>> out = new TreeMap<>();
        c.vips().stream().filter(v -> !v.checks().isEmpty()).forEach(v -> out.put(v.name(), v.checks()));
        return out;
    }

    private static Map<String, VipSpec> byName(List<VipSpec> vips) {
        Map<String, VipSpec> m = new TreeMap<>();
        vips.forEach(v -> m.put(v.name(), v));
        return m;
    }

    private static String list(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
