package io.vipd.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code vipd.conf} (Java properties syntax, split into lines by Apache Commons Configuration's
 * parser; no {@code ${...}} interpolation and no includes, see {@link PropertiesFile}).
 * Every problem becomes a {@link ConfigException} naming the file, line and key. The first problem found is reported;
 * the order of checks follows the order an operator reads the file in. What is valid but probably unwanted becomes a
 * warning ({@link VipdConfig#warnings()}).
 */
public final class ConfigLoader {
    public static final Path DEFAULT_PATH = Path.of("/etc/vipd/vipd.conf");
    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/vipd/vipd.sock");
    /** The group whose members may read the control socket ({@code vipctl status}). */
    public static final String DEFAULT_CONTROL_GROUP = "vipd";

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final Pattern PEER_KEY = Pattern.compile("peer\\.([^.]+)");
    private static final Pattern VIP_KEY = Pattern.compile(
            "vip\\.([^.]+)\\.(address|interface|prefer|checks|preempt|preempt\\.delay\\.ms|preempt\\.hold\\.ms|unhealthy)");
    private static final Pattern CHECK_KEY = Pattern.compile(
            "check\\.([^.]+)\\.(type|target|url|status|command|shell|interval\\.ms|timeout\\.ms|rise|fall)");
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** A group name as groupadd accepts it, at most 32 characters. */
    private static final Pattern GROUP = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    private static final Pattern END_OF_LINE_COMMENT = Pattern.compile("\\s#");

    /** Plain keys and their defaults (documented in conf/vipd.conf.example). */
    static final Map<String, String> PLAIN_KEYS = new LinkedHashMap<>();

    static {
        PLAIN_KEYS.put("node.id", "<hostname>");
        PLAIN_KEYS.put("cluster.name", "vipd");
        PLAIN_KEYS.put("data.dir", "/var/lib/vipd");
        PLAIN_KEYS.put("control.socket", DEFAULT_CONTROL_SOCKET.toString());
        PLAIN_KEYS.put("control.group", DEFAULT_CONTROL_GROUP);
        PLAIN_KEYS.put("tls.ca", "");
        PLAIN_KEYS.put("tls.cert", "");
        PLAIN_KEYS.put("tls.key", "");
        PLAIN_KEYS.put("insecure", "false");
        PLAIN_KEYS.put("announce.burst.count", String.valueOf(Announce.DEFAULT.burstCount()));
        PLAIN_KEYS.put("announce.burst.interval.ms", String.valueOf(Announce.DEFAULT.burstIntervalMs()));
        PLAIN_KEYS.put("announce.refresh.ms", String.valueOf(Announce.DEFAULT.refreshMs()));
        PLAIN_KEYS.put("profile", "default");
        PLAIN_KEYS.put("raft.snapshot.entries", String.valueOf(VipdConfig.DEFAULT_SNAPSHOT_ENTRIES));
        PLAIN_KEYS.put("raft.election.timeout.min.ms", String.valueOf(Timing.DEFAULT.electionMinMs()));
        PLAIN_KEYS.put("raft.election.timeout.max.ms", String.valueOf(Timing.DEFAULT.electionMaxMs()));
        PLAIN_KEYS.put("lease.ms", String.valueOf(Timing.DEFAULT.leaseMs()));
        PLAIN_KEYS.put("lease.renew.interval.ms", String.valueOf(Timing.DEFAULT.renewIntervalMs()));
        PLAIN_KEYS.put("failover.timeout.ms", String.valueOf(Timing.DEFAULT.failoverTimeoutMs()));
        PLAIN_KEYS.put("notify.acquire", "");
        PLAIN_KEYS.put("notify.release", "");
        PLAIN_KEYS.put("notify.fault", "");
        PLAIN_KEYS.put("notify.any", "");
        PLAIN_KEYS.put("notify.timeout.ms", String.valueOf(NotifyHooks.NONE.timeoutMs()));
    }

    private enum CheckKind { TCP, HTTP, EXEC }

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
            return new Reader(file, PropertiesFile.parse(file, text)).read();
        } catch (RuntimeException e) {
            // Every check above ends in a ConfigException of its own; should one not, the operator still gets a
            // message in the usual form and exit status 78 rather than a stack trace. Its exception message is left
            // out: it could quote anything.
            throw new ConfigException(file, 0, null, UNEXPECTED_PROBLEM + " (" + e.getClass().getSimpleName()
                    + "); please report it with this file");
        }
    }

    /** The start of the message for a file that tripped over a bug rather than a rule (the fuzz test looks for it). */
    static final String UNEXPECTED_PROBLEM = "could not be checked: a vipd bug";

    private final class Reader {
        private final Path file;
        private final PropertiesFile props;
        private final List<String> warnings = new ArrayList<>();

        Reader(Path file, PropertiesFile props) {
            this.file = file;
            this.props = props;
        }

        ConfigException error(String key, String problem) {
            return new ConfigException(file, lineOf(key), key, problem + commentHint(key));
        }

        /** Properties syntax has no end-of-line comments; a value that seems to have one is the likely problem. */
        private String commentHint(String key) {
            List<PropertiesFile.Entry> entries = props.entries(key);
            return entries.size() == 1 && END_OF_LINE_COMMENT.matcher(entries.get(0).value()).find()
                    ? " ('#' starts a comment only at the start of a line: everything after '=' is the value)" : "";
        }

        void warn(String key, String message) {
            warnings.add(ConfigException.format(file, lineOf(key), key, message));
        }

        /** The line where {@code key} is set, or 0 when the key is not in the file (a missing key). */
        int lineOf(String key) {
            return props.lineOf(key);
        }

        VipdConfig read() throws ConfigException {
            Map<String, Map<String, String>> vipKeys = new LinkedHashMap<>();
            Map<String, Map<String, String>> checkKeys = new LinkedHashMap<>();
            Map<String, String> peerKeys = new LinkedHashMap<>();
            for (String key : props.keys()) {
                String value = single(key);
                Matcher vm = VIP_KEY.matcher(key);
                Matcher pm = PEER_KEY.matcher(key);
                Matcher cm = CHECK_KEY.matcher(key);
                if (PLAIN_KEYS.containsKey(key)) {
                    continue;
                } else if (cm.matches()) {
                    checkKeys.computeIfAbsent(cm.group(1), n -> new HashMap<>()).put(cm.group(2), value);
                } else if (vm.matches()) {
                    vipKeys.computeIfAbsent(vm.group(1), n -> new HashMap<>()).put(vm.group(2), value);
                } else if (pm.matches()) {
                    peerKeys.put(pm.group(1), value);
                } else {
                    throw error(key, "unknown key (known: " + String.join(", ", PLAIN_KEYS.keySet())
                            + ", peer.ID, vip.NAME.{address, interface, prefer, checks, preempt, preempt.delay.ms, "
                            + "preempt.hold.ms, "
                            + "unhealthy}, check.NAME.{type, target, url, status, command, shell, interval.ms, "
                            + "timeout.ms, rise, fall})");
                }
            }

            String nodeId = string("node.id", null);
            if (nodeId == null) {
                nodeId = hostnameSupplier.apply("");
                if (nodeId == null || !ID.matcher(nodeId).matches()) {
                    throw error("node.id", "not set, and the hostname '" + nodeId
                            + "' is not usable as a node id; set node.id to letters, digits, '-' or '_'");
                }
            } else if (!ID.matcher(nodeId).matches()) {
                throw error("node.id", "'" + nodeId + "' is not a valid node id (letters, digits, '-' or '_', "
                        + "at most 63 characters)");
            }
            String clusterName = string("cluster.name", "vipd");
            if (!ID.matcher(clusterName).matches()) {
                throw error("cluster.name", "'" + clusterName + "' is not a valid name (letters, digits, '-' or '_')");
            }
            Path dataDir = path("data.dir", "/var/lib/vipd", PathRules::dataDirProblem);
            Path controlSocket = path("control.socket", DEFAULT_CONTROL_SOCKET.toString(),
                    PathRules::controlSocketProblem);
            String controlGroup = string("control.group", DEFAULT_CONTROL_GROUP);
            if (!GROUP.matcher(controlGroup).matches()) {
                throw error("control.group", "'" + controlGroup + "' is not a valid group name (letters, digits, "
                        + "'_', '-' or '.', not starting with a digit, '-' or '.'; at most 32 characters)");
            }

            List<Peer> peers = readPeers(peerKeys);
            Optional<String> tooMany = ClusterSizeRules.problem(peers.size());
            if (tooMany.isPresent()) {
                throw error("peer." + peers.get(ClusterSizeRules.MAX_MEMBERS).id(), tooMany.get());
            }
            ClusterSizeRules.warning(peers.size()).ifPresent(w -> warn("peer." + peers.get(0).id(), w));
            String self = nodeId;
            if (peers.stream().noneMatch(p -> p.id().equals(self))) {
                throw error("node.id", "this node '" + nodeId + "' has no peer." + nodeId
                        + " entry; every member, this node included, needs peer.ID = host:port");
            }
            Map<String, CheckSpec> checks = readChecks(checkKeys);
            List<VipSpec> vips = readVips(vipKeys, peers, checks);

            Announce announce = new Announce(
                    integer("announce.burst.count", Announce.DEFAULT.burstCount(), 1, 100),
                    integer("announce.burst.interval.ms", Announce.DEFAULT.burstIntervalMs(), 1, 10_000),
                    integer("announce.refresh.ms", Announce.DEFAULT.refreshMs(), 0, 3_600_000));
            Timing timing = readTiming();
            Map<String, List<String>> hooks = new LinkedHashMap<>();
            for (String hook : List.of("notify.acquire", "notify.release", "notify.fault", "notify.any")) {
                hooks.put(hook, command(hook));
                ProgramRules.warning(hooks.get(hook), "the hook").ifPresent(w -> warn(hook, w));
            }
            NotifyHooks notify = new NotifyHooks(hooks.get("notify.acquire"), hooks.get("notify.release"),
                    hooks.get("notify.fault"), hooks.get("notify.any"),
                    integer("notify.timeout.ms", (int) NotifyHooks.NONE.timeoutMs(), 100, 600_000));
            int snapshotEntries = integer("raft.snapshot.entries", VipdConfig.DEFAULT_SNAPSHOT_ENTRIES, 100,
                    10_000_000);
            TlsSettings tls = readTls();
            return new VipdConfig(file, nodeId, clusterName, dataDir, controlSocket, controlGroup, peers, vips,
                    announce, timing, checks, notify, snapshotEntries, tls, warnings);
        }

        /** All three tls.* keys or none; that they name good material is {@link #checkTls}'s job. */
        private TlsSettings readTls() throws ConfigException {
            boolean insecure = bool("insecure", false);
            List<String> keys = List.of("tls.ca", "tls.cert", "tls.key");
            List<String> set = keys.stream().filter(props::contains).toList();
            if (set.isEmpty()) {
                return insecure ? TlsSettings.INSECURE : TlsSettings.UNSET;
            }
            if (set.size() < keys.size()) {
                String missing = keys.stream().filter(k -> !set.contains(k)).findFirst().orElseThrow();
                throw error(set.get(0), "set without " + missing + ": Raft TLS needs all three of tls.ca, tls.cert "
                        + "and tls.key");
            }
            if (insecure) {
                throw error("insecure", "insecure = true contradicts the tls.* keys; remove one or the other");
            }
            return new TlsSettings(path("tls.ca", null, PathRules::plainAbsolutePath),
                    path("tls.cert", null, PathRules::plainAbsolutePath),
                    path("tls.key", null, PathRules::plainAbsolutePath), false);
        }

        /** A command line split on whitespace (no quoting: wrap anything fancier in a script); empty if unset. */
        private List<String> command(String key) throws ConfigException {
            if (!props.contains(key)) {
                return List.of();
            }
            String v = single(key).trim();
            if (v.isEmpty()) {
                throw error(key, "empty value; remove the line for no command");
            }
            List<String> words = List.of(v.split("\\s+"));
            if (!words.get(0).startsWith("/")) {
                throw error(key, "'" + words.get(0) + "' must be an absolute path (commands run without a shell "
                        + "and without PATH lookup)");
            }
            return words;
        }

        private Map<String, CheckSpec> readChecks(Map<String, Map<String, String>> checkKeys) throws ConfigException {
            Map<String, CheckSpec> out = new java.util.TreeMap<>();
            for (Map.Entry<String, Map<String, String>> e : checkKeys.entrySet()) {
                String name = e.getKey();
                String prefix = "check." + name + ".";
                Map<String, String> keys = e.getValue();
                if (!ID.matcher(name).matches()) {
                    throw error(prefix + keys.keySet().iterator().next(),
                            "'" + name + "' is not a valid check name (letters, digits, '-' or '_')");
                }
                String typeText = keys.get("type");
                if (typeText == null) {
                    throw new ConfigException(file, lineOf(prefix + keys.keySet().iterator().next()), prefix + "type",
                            "missing: check '" + name + "' needs a type (tcp, http or exec)");
                }
                CheckKind type;
                try {
                    type = CheckKind.valueOf(typeText.trim().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException ex) {
                    throw error(prefix + "type", "'" + typeText.trim() + "' is not a check type (tcp, http, exec)");
                }
                Map<CheckKind, List<String>> allowed = Map.of(
                        CheckKind.TCP, List.of("target"),
                        CheckKind.HTTP, List.of("url", "status"),
                        CheckKind.EXEC, List.of("command", "shell"));
                for (String k : keys.keySet()) {
                    boolean specific = List.of("target", "url", "status", "command", "shell").contains(k);
                    if (specific && !allowed.get(type).contains(k)) {
                        throw error(prefix + k, "does not apply to a " + type.name().toLowerCase(java.util.Locale.ROOT)
                                + " check");
                    }
                }
                String host = null;
                int port = 0;
                java.net.URI url = null;
                int statusMin = 200;
                int statusMax = 399;
                List<String> command = List.of();
                boolean shell = false;
                switch (type) {
                    case TCP -> {
                        String target = required(keys, prefix, "target", "host:port (example: 127.0.0.1:80)");
                        int colon = target.lastIndexOf(':');
                        port = colon > 0 ? AsciiNumbers.port(target.substring(colon + 1)) : -1;
                        if (colon <= 0 || port < 0) {
                            throw error(prefix + "target", "'" + target + "' is not host:port (example: 127.0.0.1:80)");
                        }
                        host = target.substring(0, colon);
                    }
                    case HTTP -> {
                        String u = required(keys, prefix, "url", "an http:// URL (example: http://127.0.0.1/health)");
                        try {
                            url = new java.net.URI(u);
                        } catch (java.net.URISyntaxException ex) {
                            throw error(prefix + "url", "'" + u + "' is not a URL: " + ex.getReason());
                        }
                        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
                            throw error(prefix + "url", "'" + u + "' must be an http:// URL with a host (https is "
                                    + "not supported yet)");
                        }
                        String status = keys.getOrDefault("status", "200-399").trim();
                        java.util.regex.Matcher m = Pattern.compile("([0-9]{3})(?:-([0-9]{3}))?").matcher(status);
                        if (!m.matches()) {
                            throw error(prefix + "status", "'" + status + "' is not a status or range (example: "
                                    + "200-399)");
                        }
                        statusMin = Integer.parseInt(m.group(1));
                        statusMax = m.group(2) == null ? statusMin : Integer.parseInt(m.group(2));
                        if (statusMax < statusMin) {
                            throw error(prefix + "status", "range '" + status + "' is empty");
                        }
                    }
                    case EXEC -> {
                        shell = bool(prefix + "shell", false);
                        String c = required(keys, prefix, "command", "a program and its arguments");
                        command = shell ? List.of("/bin/sh", "-c", c) : List.of(c.split("\\s+"));
                        if (!shell && !command.get(0).startsWith("/")) {
                            throw error(prefix + "command", "'" + command.get(0) + "' must be an absolute path "
                                    + "(run without a shell and without PATH lookup; or set " + prefix + "shell = true)");
                        }
                        if (!shell) {
                            ProgramRules.warning(command, "the check (and so the VIPs that need it)")
                                    .ifPresent(w -> warn(prefix + "command", w));
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                int interval = integer(prefix + "interval.ms", 1000, 100, 3_600_000);
                int timeout = integer(prefix + "timeout.ms", Math.min(1000, interval), 10, 3_600_000);
                if (timeout > interval) {
                    throw error(prefix + "timeout.ms", timeout + " ms is longer than " + prefix + "interval.ms ("
                            + interval + " ms)");
                }
                int rise = integer(prefix + "rise", 2, 1, 100);
                int fall = integer(prefix + "fall", 2, 1, 100);
                out.put(name, switch (type) {
                    case TCP -> new TcpCheck(name, host, port, interval, timeout, rise, fall);
                    case HTTP -> new HttpCheck(name, url, statusMin, statusMax, interval, timeout, rise, fall);
                    case EXEC -> new ExecCheck(name, command, shell, interval, timeout, rise, fall);
                });
            }
            return out;
        }

        private String required(Map<String, String> keys, String prefix, String key, String what)
                throws ConfigException {
            String v = keys.get(key);
            if (v == null || v.isBlank()) {
                String some = prefix + keys.keySet().iterator().next();
                throw new ConfigException(file, lineOf(v == null ? some : prefix + key), prefix + key,
                        "missing: needs " + what);
            }
            return v.trim();
        }

        private boolean bool(String key, boolean def) throws ConfigException {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "on", "true", "yes" -> {
                    return true;
                }
                case "off", "false", "no" -> {
                    return false;
                }
                default -> throw error(key, "'" + v + "' is not on/off (or true/false, yes/no)");
            }
        }

        private List<Peer> readPeers(Map<String, String> peerKeys) throws ConfigException {
            if (peerKeys.isEmpty()) {
                throw error("peer.ID", "no peers configured; list every member, this node included, "
                        + "as peer.ID = host:port");
            }
            List<Peer> peers = new ArrayList<>();
            Map<String, String> byAddress = new HashMap<>();
            for (Map.Entry<String, String> e : peerKeys.entrySet()) {
                String key = "peer." + e.getKey();
                if (!ID.matcher(e.getKey()).matches()) {
                    throw error(key, "'" + e.getKey() + "' is not a valid node id (letters, digits, '-' or '_')");
                }
                String value = e.getValue().trim();
                int colon = value.lastIndexOf(':');
                if (colon <= 0 || colon == value.length() - 1) {
                    throw error(key, "'" + value + "' is not host:port (example: 198.18.0.1:7400)");
                }
                String host = value.substring(0, colon);
                String portText = value.substring(colon + 1);
                if (AsciiNumbers.parse(portText).isEmpty()) {
                    throw error(key, "port in '" + value + "' is not a number (ASCII digits 0-9)");
                }
                int port = AsciiNumbers.port(portText);
                if (port < 0) {
                    throw error(key, "port " + portText + " is outside 1..65535");
                }
                if (IPV4.matcher(host).matches() && parseIpv4(host) == null) {
                    throw error(key, "'" + host + "' is not a valid IPv4 address");
                }
                Optional<String> hostProblem = PeerHostRules.problem(host);
                if (hostProblem.isPresent()) {
                    throw error(key, hostProblem.get());
                }
                String previous = byAddress.putIfAbsent(host + ":" + port, e.getKey());
                if (previous != null) {
                    throw error(key, "same address " + value + " as peer." + previous);
                }
                peers.add(new Peer(e.getKey(), host, port));
            }
            return peers;
        }

        private List<VipSpec> readVips(Map<String, Map<String, String>> vipKeys, List<Peer> peers,
                                       Map<String, CheckSpec> checks) throws ConfigException {
            List<VipSpec> vips = new ArrayList<>();
            Map<String, String> byAddress = new HashMap<>();
            Set<String> peerIds = new TreeSet<>();
            peers.forEach(p -> peerIds.add(p.id()));
            for (Map.Entry<String, Map<String, String>> e : vipKeys.entrySet()) {
                String name = e.getKey();
                Map<String, String> keys = e.getValue();
                String prefix = "vip." + name + ".";
                if (!ID.matcher(name).matches()) {
                    throw error(prefix + keys.keySet().iterator().next(),
                            "'" + name + "' is not a valid VIP name (letters, digits, '-' or '_')");
                }
                String cidr = keys.get("address");
                if (cidr == null) {
                    String some = prefix + keys.keySet().iterator().next();
                    throw new ConfigException(file, lineOf(some), prefix + "address",
                            "missing: VIP '" + name + "' needs an address (example: " + prefix
                                    + "address = 198.18.0.100/24)");
                }
                String addressKey = prefix + "address";
                cidr = cidr.trim();
                if (cidr.contains("::") || cidr.indexOf(':') >= 0) {
                    throw error(addressKey, "'" + cidr + "': IPv6 VIPs are not supported yet");
                }
                int slash = cidr.indexOf('/');
                if (slash < 0) {
                    throw error(addressKey, "'" + cidr + "' has no prefix length (example: 198.18.0.100/24)");
                }
                Inet4Address address = parseIpv4(cidr.substring(0, slash));
                if (address == null) {
                    throw error(addressKey, "'" + cidr.substring(0, slash) + "' is not a valid IPv4 address");
                }
                String prefixText = cidr.substring(slash + 1);
                OptionalLong prefixNumber = AsciiNumbers.parse(prefixText);
                if (prefixNumber.isEmpty()) {
                    throw error(addressKey, "prefix length in '" + cidr + "' is not a number (ASCII digits 0-9)");
                }
                if (prefixNumber.getAsLong() < 1 || prefixNumber.getAsLong() > 32) {
                    throw error(addressKey, "prefix length " + prefixText + " is outside 1..32");
                }
                int prefixLength = (int) prefixNumber.getAsLong();
                byte first = address.getAddress()[0];
                if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()
                        || first == 0 || (first & 0xff) >= 240) {
                    throw error(addressKey, address.getHostAddress() + " cannot be a VIP (loopback, multicast, "
                            + "unspecified or reserved)");
                }
                Optional<String> subnetProblem = VipAddressRules.problem(address, prefixLength);
                if (subnetProblem.isPresent()) {
                    throw error(addressKey, subnetProblem.get());
                }
                String other = byAddress.putIfAbsent(address.getHostAddress(), name);
                if (other != null) {
                    throw error(addressKey, "duplicate VIP: " + address.getHostAddress()
                            + " is already the address of vip." + other);
                }
                for (Peer p : peers) {
                    if (p.host().equals(address.getHostAddress())) {
                        throw error(addressKey, address.getHostAddress() + " is the address of node '" + p.id()
                                + "' (peer." + p.id() + "); a VIP must be an address no host has of its own");
                    }
                }
                String ifaceKey = prefix + "interface";
                String iface = keys.get("interface");
                if (iface == null) {
                    throw new ConfigException(file, lineOf(addressKey), ifaceKey,
                            "missing: VIP '" + name + "' needs the interface to put the address on");
                }
                iface = iface.trim();
                if (!IFACE.matcher(iface).matches()) {
                    throw error(ifaceKey, "'" + iface + "' is not a valid interface name");
                }
                List<String> preferred = new ArrayList<>();
                String prefer = keys.get("prefer");
                if (prefer != null && !prefer.isBlank()) {
                    for (String id : prefer.split("[,\\s]+")) {
                        if (id.isEmpty()) {
                            continue;
                        }
                        if (!peerIds.contains(id)) {
                            throw error(prefix + "prefer", "'" + id + "' is not a configured peer (peers: "
                                    + String.join(", ", peerIds) + ")");
                        }
                        if (preferred.contains(id)) {
                            throw error(prefix + "prefer", "'" + id + "' is listed twice");
                        }
                        preferred.add(id);
                    }
                }
                List<String> vipChecks = new ArrayList<>();
                String checkList = keys.get("checks");
                if (checkList != null && !checkList.isBlank()) {
                    for (String c : checkList.trim().split("[,\\s]+")) {
                        if (!checks.containsKey(c)) {
                            throw error(prefix + "checks", "no check named '" + c + "' (defined: "
                                    + (checks.isEmpty() ? "none; define check." + c + ".type and the rest"
                                            : String.join(", ", checks.keySet())) + ")");
                        }
                        if (!vipChecks.contains(c)) {
                            vipChecks.add(c);
                        }
                    }
                }
                boolean preempt = bool(prefix + "preempt", false);
                int preemptDelay = integer(prefix + "preempt.delay.ms", 0, 0, 86_400_000);
                if (preemptDelay > 0 && !preempt) {
                    throw error(prefix + "preempt.delay.ms", "set, but " + prefix + "preempt is off");
                }
                boolean holdSet = props.contains(prefix + "preempt.hold.ms");
                int preemptHold = integer(prefix + "preempt.hold.ms", (int) VipSpec.DEFAULT_PREEMPT_HOLD_MS, 0,
                        86_400_000);
                if (holdSet && !preempt) {
                    throw error(prefix + "preempt.hold.ms", "set, but " + prefix + "preempt is off");
                }
                String policyText = string(prefix + "unhealthy", "keep");
                VipSpec.UnhealthyPolicy policy;
                switch (policyText.toLowerCase(java.util.Locale.ROOT)) {
                    case "keep" -> policy = VipSpec.UnhealthyPolicy.KEEP;
                    case "release" -> policy = VipSpec.UnhealthyPolicy.RELEASE;
                    default -> throw error(prefix + "unhealthy", "'" + policyText + "' is not keep or release");
                }
                if (policy == VipSpec.UnhealthyPolicy.RELEASE && vipChecks.isEmpty()) {
                    throw error(prefix + "unhealthy", "release needs checks (" + prefix + "checks)");
                }
                vips.add(new VipSpec(name, address, prefixLength, iface, preferred, vipChecks, preempt, preemptDelay,
                        policy, preemptHold));
            }
            vips.sort((a, b) -> a.name().compareTo(b.name()));
            return vips;
        }

        private Timing readTiming() throws ConfigException {
            String profile = string("profile", "default");
            Timing d = Timing.profile(profile);
            if (d == null) {
                throw error("profile", "'" + profile + "' is not a profile (default, fast)");
            }
            int electionMin = integer("raft.election.timeout.min.ms", d.electionMinMs(), 50, 60_000);
            int electionMax = integer("raft.election.timeout.max.ms", d.electionMaxMs(), 50, 60_000);
            int lease = integer("lease.ms", d.leaseMs(), 50, 60_000);
            int renew = integer("lease.renew.interval.ms", d.renewIntervalMs(), 10, 60_000);
            int failover = integer("failover.timeout.ms", d.failoverTimeoutMs(), 50, 600_000);
            Timing t = new Timing(electionMin, electionMax, lease, renew, failover);
            if (electionMax <= electionMin) {
                throw error("raft.election.timeout.max.ms", "must be greater than raft.election.timeout.min.ms ("
                        + electionMin + ")");
            }
            if (renew * 3 > lease) {
                throw error("lease.renew.interval.ms", renew + " ms is too long for lease.ms = " + lease
                        + ": at least three renewals must fit in one lease (at most " + (lease / 3) + " ms)");
            }
            if (failover < t.minimumSafeFailoverTimeoutMs()) {
                throw error("failover.timeout.ms", failover + " ms is unsafe with lease.ms = " + lease
                        + ": an old owner could still answer when the VIP moves; it must be at least "
                        + t.minimumSafeFailoverTimeoutMs() + " ms (lease × " + (1 + Timing.CLOCK_RATE_MARGIN)
                        + " clock-rate margin + " + Timing.RELEASE_MARGIN_MS + " ms to release)");
            }
            String electionKey = props.contains("raft.election.timeout.max.ms") ? "raft.election.timeout.max.ms"
                    : props.contains("lease.ms") ? "lease.ms" : "profile";
            TimingRules.warning(t).ifPresent(w -> warn(electionKey, w));
            return t;
        }

        private String single(String key) throws ConfigException {
            List<PropertiesFile.Entry> entries = props.entries(key);
            if (entries.size() > 1) {
                throw new ConfigException(file, entries.get(1).line(), key, "set more than once (first on line "
                        + entries.get(0).line() + "); keep one line");
            }
            return entries.isEmpty() ? "" : entries.get(0).value();
        }

        private String string(String key, String def) throws ConfigException {
            if (!props.contains(key)) {
                return def;
            }
            String v = single(key).trim();
            if (v.isEmpty()) {
                throw error(key, "empty value; remove the line to use the default"
                        + (def == null ? "" : " (" + def + ")"));
            }
            return v;
        }

        private Path path(String key, String def, Function<Path, Optional<String>> rules)
                throws ConfigException {
            String v = string(key, def);
            Path p;
            try {
                p = Path.of(v);
            } catch (java.nio.file.InvalidPathException e) {
                // A NUL byte, or a character this JVM's file name encoding cannot hold (e.g. under LANG=C).
                throw error(key, "'" + v + "' is not a usable path (" + e.getReason() + ")");
            }
            Optional<String> problem = rules.apply(p);
            if (problem.isPresent()) {
                throw error(key, problem.get());
            }
            return p;
        }

        private int integer(String key, int def, int min, int max) throws ConfigException {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            OptionalLong n = AsciiNumbers.parse(v);
            if (n.isEmpty()) {
                throw error(key, "'" + v + "' is not a whole number (ASCII digits 0-9)");
            }
            if (n.getAsLong() < min || n.getAsLong() > max) {
                throw error(key, v + " is outside " + min + ".." + max);
            }
            return (int) n.getAsLong();
        }
    }

    /**
     * Checks what only this host can tell: that every VIP's interface exists here.
     *
     * @param interfaces the names of this host's interfaces
     */
    public void checkHost(VipdConfig config, Set<String> interfaces) throws ConfigException {
        PropertiesFile props;
        try {
            props = PropertiesFile.parse(config.source(), ConfigText.read(config.source()));
        } catch (ConfigException | RuntimeException e) {
            // Changed or gone since it was loaded: the message names the key without a line.
            props = PropertiesFile.empty();
        }
        Reader reader = new Reader(config.source(), props);
        for (VipSpec v : config.vips()) {
            if (!interfaces.contains(v.iface())) {
                throw reader.error("vip." + v.name() + ".interface", "interface '" + v.iface()
                        + "' does not exist on this host (interfaces here: " + String.join(", ", new TreeSet<>(interfaces))
                        + ")");
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
        PropertiesFile props;
        try {
            props = PropertiesFile.parse(config.source(), ConfigText.read(config.source()));
        } catch (ConfigException | RuntimeException e) {
            props = PropertiesFile.empty();
        }
        Reader reader = new Reader(config.source(), props);
        TlsSettings tls = config.tls();
        if (tls.insecure()) {
            return null;
        }
        if (!tls.enabled()) {
            throw reader.error("tls.ca", "not set: vipd authenticates and encrypts Raft traffic between members "
                    + "with TLS; set tls.ca, tls.cert and tls.key (create them with 'vipctl cert ca' and 'vipctl "
                    + "cert node'), or set insecure = true to run unauthenticated (any host that reaches the Raft "
                    + "port can then take the VIPs away)");
        }
        try {
            return loader.load(tls, config.nodeId(), config.peers().stream().map(Peer::id).toList());
        } catch (TlsSettings.Problem p) {
            throw reader.error(p.key(), p.getMessage());
        }
    }

    static Inet4Address parseIpv4(String s) {
        if (!IPV4.matcher(s).matches()) {
            return null;
        }
        byte[] b = new byte[4];
        String[] parts = s.split("\\.");
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
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
