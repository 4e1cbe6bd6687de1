package io.vipd.config;

import io.vipd.config.keys.AnnounceKeys;
import io.vipd.config.keys.CheckKeys;
import io.vipd.config.keys.ConfigKeys;
import io.vipd.config.keys.PeerKeys;
import io.vipd.config.keys.TimingKeys;
import io.vipd.config.keys.WatchKeys;
import io.vipd.config.keys.TlsKeys;
import io.vipd.config.keys.VipKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads and validates {@code vipd.conf} (Java properties syntax, split into lines by Apache Commons Configuration's
 * parser; no {@code ${...}} interpolation and no includes, see {@link PropertiesFile}).
 * Every key is one of the catalogue ({@link ConfigKeys}), which gives its type, bounds and default; each section has
 * a reader of its own ({@link NodeReader}, {@link PeerReader}, {@link CheckReader}, {@link VipReader},
 * {@link TimingReader}, {@link NotifyReader}, {@link TlsReader}) for the rules between keys.
 * Every problem becomes a {@link ConfigException} naming the file, line and key. The first problem found is reported;
 * the order of checks follows the order an operator reads the file in. What is valid but probably unwanted becomes a
 * warning ({@link VipdConfig#warnings()}).
 */
public final class ConfigLoader {
    public static final Path DEFAULT_PATH = Path.of("/etc/vipd/vipd.conf");
    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/vipd/vipd.sock");
    /** The group whose members may read the control socket ({@code vipctl status}). */
    public static final String DEFAULT_CONTROL_GROUP = "vipd";

    private final Function<String, String> hostnameSupplier;

    public ConfigLoader() {
        this(ignored -> localHostname());
    }

    /** For tests: the hostname that {@code node.id} defaults to. */
    ConfigLoader(Function<String, String> hostnameSupplier) {
        this.hostnameSupplier = hostnameSupplier;
    }

    public VipdConfig load(Path file) throws ConfigException {
        return parse(file, ConfigText.read(file));
    }

    /**
     * Parses configuration text that came from {@code file} (the path is used in messages only).
     *
     * @throws ConfigException for every problem, whatever the text: never an unchecked exception
     */
    public VipdConfig parse(Path file, String text) throws ConfigException {
        try {
            return read(new KeyReader(file, PropertiesFile.parse(file, text)));
        } catch (RuntimeException e) {
            // Every check ends in a ConfigException of its own; should one not, the operator still gets a
            // message in the usual form and exit status 78 rather than a stack trace. Its exception message is left
            // out: it could quote anything.
            throw new ConfigException(file, 0, null, UNEXPECTED_PROBLEM + " (" + e.getClass().getSimpleName()
                    + "); please report it with this file");
        }
    }

    /** The start of the message for a file that tripped over a bug rather than a rule (the fuzz test looks for it). */
    static final String UNEXPECTED_PROBLEM = "could not be checked: a vipd bug";

    /** The sections in the order an operator reads them; the first problem found is the one reported. */
    private VipdConfig read(KeyReader keys) throws ConfigException {
        Map<String, Map<String, KeyReader.Member>> named = keys.scan();
        NodeReader.Node node = NodeReader.read(keys, hostnameSupplier);
        List<Peer> peers = PeerReader.read(keys, members(named, PeerKeys.PEER.family()), node.id());
        Map<String, CheckSpec> checks = CheckReader.read(keys, members(named, CheckKeys.TYPE.family()));
        List<VipSpec> vips = GroupReader.apply(keys, members(named, io.vipd.config.keys.GroupKeys.VIPS.family()),
                VipReader.read(keys, members(named, VipKeys.ADDRESS.family()), peers, checks), peers, checks);
        Announce announce = new Announce(keys.get(AnnounceKeys.BURST_COUNT), keys.get(AnnounceKeys.BURST_INTERVAL_MS),
                keys.get(AnnounceKeys.REFRESH_MS));
        Watch watch = readWatch(keys);
        Timing timing = TimingReader.read(keys);
        NotifyHooks notify = NotifyReader.read(keys);
        int snapshotEntries = keys.get(TimingKeys.SNAPSHOT_ENTRIES);
        TlsSettings tls = TlsReader.read(keys);
        return new VipdConfig(keys.file(), node.id(), node.clusterName(), node.dataDir(), node.controlSocket(),
                node.controlGroup(), peers, vips, announce, watch, timing, checks, notify, snapshotEntries, tls,
                keys.warnings(), keys.find(io.vipd.config.keys.NodeKeys.METRICS_LISTEN).orElse(null));
    }

    private static Watch readWatch(KeyReader keys) throws ConfigException {
        int probeMs = keys.get(WatchKeys.PROBE_INTERVAL_MS);
        if (probeMs > 0 && probeMs < 100) {
            throw keys.error(WatchKeys.PROBE_INTERVAL_MS.name(), "must be 0 (probing off) or at least 100 ms, was "
                    + probeMs);
        }
        int silentMs = keys.get(WatchKeys.SILENT_AFTER_MS);
        if (probeMs > 0 && silentMs < 2 * probeMs) {
            throw keys.error(keys.isSet(WatchKeys.SILENT_AFTER_MS) ? WatchKeys.SILENT_AFTER_MS.name()
                    : WatchKeys.PROBE_INTERVAL_MS.name(), WatchKeys.SILENT_AFTER_MS.name() + " (" + silentMs
                    + " ms) must be at least two probe intervals (" + WatchKeys.PROBE_INTERVAL_MS.name() + " = "
                    + probeMs + "), so one lost probe does not make an owner look silent");
        }
        return new Watch(probeMs, silentMs);
    }

    private static Map<String, KeyReader.Member> members(Map<String, Map<String, KeyReader.Member>> named,
                                                         String family) {
        return named.getOrDefault(family, Map.of());
    }

    /**
     * Checks what only this host can tell: that every VIP's interface exists here.
     *
     * @param interfaces the names of this host's interfaces
     */
    public void checkHost(VipdConfig config, Set<String> interfaces) throws ConfigException {
        KeyReader keys = reread(config);
        for (VipSpec v : config.vips()) {
            if (!interfaces.contains(v.iface())) {
                throw keys.error(VipKeys.INTERFACE.in(v.name()), "interface '" + v.iface() + "' does not exist on "
                        + "this host (interfaces here: " + String.join(", ", new TreeSet<>(interfaces)) + ")");
            }
        }
    }

    /**
     * Checks that this node may talk to its peers: TLS material that loads and names this node, or an explicit
     * {@code insecure = true}. Apart from {@link #parse} because it reads more files (certificates, a private
     * key) and because a test of the syntax should not need them.
     *
     * @return what {@code loader} made of the material, or null when the configuration is insecure
     */
    public <T> T checkTls(VipdConfig config, TlsSettings.Loader<T> loader) throws ConfigException {
        KeyReader keys = reread(config);
        TlsSettings tls = config.tls();
        if (tls.insecure()) {
            return null;
        }
        if (!tls.enabled()) {
            throw keys.error(TlsKeys.CA.name(), "not set: vipd authenticates and encrypts Raft traffic between "
                    + "members with TLS; set tls.ca, tls.cert and tls.key (create them with 'vipctl cert ca' and "
                    + "'vipctl cert node'), or set insecure = true to run unauthenticated (any host that reaches the "
                    + "Raft port can then take the VIPs away)");
        }
        try {
            return loader.load(tls, config.nodeId(), config.peers().stream().map(Peer::id).toList());
        } catch (TlsSettings.Problem p) {
            throw keys.error(p.key(), p.getMessage());
        }
    }

    /** The file {@code config} came from, read again for the lines of its keys. */
    private static KeyReader reread(VipdConfig config) {
        PropertiesFile props;
        try {
            props = PropertiesFile.parse(config.source(), ConfigText.read(config.source()));
        } catch (ConfigException | RuntimeException e) {
            // Changed or gone since it was loaded: the message names the key without a line.
            props = PropertiesFile.empty();
        }
        return new KeyReader(config.source(), props);
    }

    private static String localHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException ex) {
                return null;
            }
        }
    }
}
