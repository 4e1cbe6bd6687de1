package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipd.control.ControlClient;
import io.vipd.host.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Emulated hosts on one machine: a switch namespace holding a bridge, host namespaces {@code h1..hN} and a client
 * namespace, each joined to the bridge by a veth pair, addresses in 198.18.0.0/24 only. Nothing is created in the
 * main namespace. Starts real vipd daemons in the hosts, a TCP name server in each host, and the ARP referee in the
 * client. {@link #close()} removes every namespace and kills every process it started, by pid.
 */
public final class Testbed implements AutoCloseable {
    public static final String SUBNET = "198.18.0.";
    public static final int RAFT_PORT = 7400;
    public static final int NAME_PORT = 8080;
    private static final String PREFIX = "vipdt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id = PREFIX + ProcessHandle.current().pid();
    private final int hostCount;
    private final Map<String, Inet4Address> vips = new LinkedHashMap<>();
    private final Path vipdJar;
    private final Path workDir;
    private final List<String> namespaces = new ArrayList<>();
    private final Process[] daemons;
    private final MacAddress[] macs;
    private final List<ServerSocket> nameServers = new ArrayList<>();
    private final String extraConfig;
    private final TestbedTls tls;
    private ArpReferee referee;

    /**
     * @param vipNames    VIP i gets 198.18.0.(100 + i)
     * @param extraConfig lines appended to every node's vipd.conf
     */
    public Testbed(int hostCount, List<String> vipNames, Path vipdJar, String extraConfig) throws IOException {
        this.hostCount = hostCount;
        this.vipdJar = vipdJar;
        this.extraConfig = extraConfig;
        this.daemons = new Process[hostCount + 1];
        this.macs = new MacAddress[hostCount + 1];
        for (int i = 0; i < vipNames.size(); i++) {
            vips.put(vipNames.get(i), ip(SUBNET + (100 + i)));
        }
        this.workDir = Files.createTempDirectory("vipd-testbed-");
        this.tls = new TestbedTls(workDir.resolve("tls"), "vipd");
        for (int i = 1; i <= hostCount; i++) {
            tls.issue(node(i), SUBNET + i);
        }
        removeLeftovers();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "testbed-cleanup"));
        try {
            build();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static Path vipdJarFromBuild() {
        String p = System.getProperty("vipd.jar");
        Path jar = p != null ? Path.of(p) : Path.of("daemon/target/vipd.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("vipd jar not found at " + jar.toAbsolutePath() + "; build with mvn package");
        }
        return jar.toAbsolutePath();
    }

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(s);
        }
    }

    /** Namespaces of earlier runs whose process is gone (a run killed before it could clean up). */
    private static void removeLeftovers() throws IOException {
        for (String line : Shell.ok("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0].trim();
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String digits = name.substring(PREFIX.length()).replaceAll("[^0-9].*$", "");
            if (!digits.isEmpty() && ProcessHandle.of(Long.parseLong(digits)).isEmpty()) {
                Shell.quietly("ip", "netns", "del", name);
            }
        }
    }

    public String hostNs(int i) {
        return id + "h" + i;
    }

    public String clientNs() {
        return id + "c";
    }

    private String switchNs() {
        return id + "sw";
    }

    public String node(int i) {
        return "n" + i;
    }

    public Inet4Address vip(String name) {
        return vips.get(name);
    }

    public Map<String, Inet4Address> vips() {
        return vips;
    }

    public int hostCount() {
        return hostCount;
    }

    public ArpReferee referee() {
        return referee;
    }

    private void addNs(String name) throws IOException {
        Shell.ok("ip", "netns", "add", name);
        namespaces.add(name);
        Shell.ok("ip", "-n", name, "link", "set", "dev", "lo", "up");
    }

    /** A host or client namespace with eth0 at {@code address}, its peer end on the bridge as port {@code port}. */
    private MacAddress plug(String ns, String port, String address) throws IOException {
        addNs(ns);
        Shell.ok("ip", "-n", ns, "link", "add", "name", "eth0", "type", "veth", "peer", "name", port, "netns",
                switchNs());
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", port, "master", "br0");
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", port, "up");
        Shell.ok("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        Shell.ok("ip", "-n", ns, "link", "set", "dev", "eth0", "up");
        String link = Shell.ok("ip", "-n", ns, "-o", "link", "show", "dev", "eth0");
        return MacAddress.parse(link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1"));
    }

    private void build() throws IOException {
        addNs(switchNs());
        Shell.ok("ip", "-n", switchNs(), "link", "add", "name", "br0", "type", "bridge");
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", "br0", "up");
        for (int i = 1; i <= hostCount; i++) {
            macs[i] = plug(hostNs(i), "p" + i, SUBNET + i);
            startNameServer(i);
        }
        MacAddress clientMac = plug(clientNs(), "pc", SUBNET + 250);
        int clientIndex = Integer.parseInt(Shell.ok("ip", "-n", clientNs(), "-o", "link", "show", "dev", "eth0")
                .split(":")[0].trim());
        referee = new ArpReferee(clientNs(), clientIndex, clientMac, ip(SUBNET + 250), List.copyOf(vips.values()),
                50);
    }

    /** A TCP server in host i that answers every connection with the host's node id: shows who the client reached. */
    private void startNameServer(int i) throws IOException {
        ServerSocket server = Netns.call(hostNs(i), () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(NAME_PORT));
            return s;
        });
        nameServers.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept(); OutputStream out = c.getOutputStream()) {
                    out.write((node(i) + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed at tear-down, or the client went away
                }
            }
        }, "name-server-" + i);
        t.setDaemon(true);
        t.start();
    }

    /** The cluster CA and host certificates this testbed's daemons use. */
    public TestbedTls tls() {
        return tls;
    }

    public Path configPath(int i) {
        return workDir.resolve(node(i)).resolve("vipd.conf");
    }

    public Path socketPath(int i) {
        return workDir.resolve(node(i)).resolve("vipd.sock");
    }

    public Path logPath(int i) {
        return workDir.resolve(node(i)).resolve("vipd.log");
    }

    public String config(int i) {
        StringBuilder sb = new StringBuilder();
        sb.append("node.id = ").append(node(i)).append('\n');
        sb.append("data.dir = ").append(workDir.resolve(node(i)).resolve("data")).append('\n');
        sb.append("control.socket = ").append(socketPath(i)).append('\n');
        if (!extraConfig.contains("insecure = true")) {
            sb.append(tls.configLines(node(i)));
        }
        for (int p = 1; p <= hostCount; p++) {
            sb.append("peer.").append(node(p)).append(" = ").append(SUBNET).append(p).append(':').append(RAFT_PORT)
                    .append('\n');
        }
        vips.forEach((name, address) -> sb.append("vip.").append(name).append(".address = ")
                .append(address.getHostAddress()).append("/24\nvip.").append(name).append(".interface = eth0\n"));
        sb.append(extraConfig);
        return sb.toString();
    }

    /** Host i's configuration without the lines of the given VIPs (for VIPs a test adds later by a reload). */
    public String configWithout(int i, java.util.Set<String> withheld) {
        StringBuilder sb = new StringBuilder();
        for (String line : config(i).split("\n")) {
            if (withheld.stream().noneMatch(v -> line.startsWith("vip." + v + "."))) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    public static List<String> javaCommand(Path jar, String mainClass) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (mainClass == null) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", jar.toString(), mainClass));
        }
        return cmd;
    }

    public void startDaemon(int i) throws IOException {
        startDaemon(i, Map.of());
    }

    /** Starts host i's daemon with extra environment variables (e.g. NOTIFY_SOCKET). */
    public void startDaemon(int i, Map<String, String> environment) throws IOException {
        startDaemon(i, environment, config(i));
    }

    /** Starts host i's daemon with the given configuration text (written to {@link #configPath}). */
    public void startDaemon(int i, Map<String, String> environment, String configText) throws IOException {
        Files.createDirectories(configPath(i).getParent());
        Files.writeString(configPath(i), configText);
        // As systemd does, start the daemon with default signal dispositions: a test run under nohup would otherwise
        // pass on an ignored SIGHUP, and the JVM keeps ignored signals ignored.
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostNs(i), "env", "--default-signal=HUP"));
        cmd.addAll(javaCommand(vipdJar, null));
        cmd.addAll(List.of("-c", configPath(i).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logPath(i).toFile()));
        pb.environment().putAll(environment);
        daemons[i] = pb.start(); // ip netns exec and env exec java: this pid is the daemon's
    }

    private final List<Process> others = new ArrayList<>();

    /** Starts {@code command} inside host i's namespace; killed (with its children) at {@link #close()}. */
    public synchronized Process spawn(int i, List<String> command, Path log) throws IOException {
        return spawnIn(hostNs(i), command, log);
    }

    /**
     * Starts {@code command} in the client's namespace: a host on the segment that is in no configuration (e.g. an
     * intruder); killed (with its children) at {@link #close()}.
     */
    public synchronized Process spawnInClient(List<String> command, Path log) throws IOException {
        return spawnIn(clientNs(), command, log);
    }

    private Process spawnIn(String namespace, List<String> command, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        others.add(p);
        return p;
    }

    /** SIGKILLs a process and all its descendants, by pid. */
    public static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Path workDir() {
        return workDir;
    }

    public void startAll() throws IOException {
        for (int i = 1; i <= hostCount; i++) {
            startDaemon(i);
        }
    }

    public long pid(int i) {
        return daemons[i].pid();
    }

    public boolean running(int i) {
        return daemons[i] != null && daemons[i].isAlive();
    }

    /** Waits up to {@code timeoutMs} for host i's daemon to exit and returns its exit status, or -1 if it runs on. */
    public int exitStatus(int i, long timeoutMs) {
        try {
            return daemons[i].waitFor(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)
                    ? daemons[i].exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Host i's default data directory (data.dir in {@link #config}). */
    public Path dataDir(int i) {
        return workDir.resolve(node(i)).resolve("data");
    }

    /** The Raft log files (segments) in host i's default data directory, whatever the group's directory is. */
    public List<Path> raftLogFiles(int i) throws IOException {
        Path raft = dataDir(i).resolve("raft");
        if (!Files.isDirectory(raft)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(raft)) {
            return files.filter(f -> f.getFileName().toString().startsWith("log_")).sorted().toList();
        }
    }

    /**
     * The first log index still on host i's disk: the lowest start index of its segments (log_START-END or
     * log_inprogress_START), or Long.MAX_VALUE when there are none.
     */
    public long firstLogIndexOnDisk(int i) throws IOException {
        long first = Long.MAX_VALUE;
        for (Path f : raftLogFiles(i)) {
            String n = f.getFileName().toString();
            String start = n.startsWith("log_inprogress_") ? n.substring("log_inprogress_".length())
                    : n.substring("log_".length(), n.indexOf('-'));
            first = Math.min(first, Long.parseLong(start));
        }
        return first;
    }

    public void kill9(int i) throws IOException {
        Shell.ok("kill", "-KILL", String.valueOf(pid(i)));
        waitUntil("daemon " + node(i) + " gone", 10_000, () -> !daemons[i].isAlive());
    }

    /**
     * SIGTERMs host i's daemon (as systemctl stop does) and waits until it has exited; returns the milliseconds from
     * the signal to the exit, as the process table shows it.
     */
    public long terminate(int i) throws IOException {
        long signalled = System.nanoTime();
        daemons[i].destroy(); // SIGTERM, sent by this JVM: no kill process to start
        try {
            if (!daemons[i].waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("daemon " + node(i) + " did not exit within 15 s of SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + node(i) + " to stop");
        }
        return (System.nanoTime() - signalled) / 1_000_000L;
    }

    public void pause(int i) throws IOException {
        Shell.ok("kill", "-STOP", String.valueOf(pid(i)));
    }

    public void resume(int i) throws IOException {
        Shell.ok("kill", "-CONT", String.valueOf(pid(i)));
    }

    private void nft(int i, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostNs(i), "nft"));
        cmd.addAll(List.of(args));
        Shell.Result r = Shell.run(cmd, 20_000);
        if (r.exit() != 0) {
            throw new IOException("nft " + String.join(" ", args) + " in " + hostNs(i) + ": " + r.output());
        }
    }

    /**
     * Cuts host i off from the other hosts (all IP traffic between them dropped in host i's namespace, in a table of
     * the test's own) while the client still reaches it: the partition in which two owners could both answer.
     */
    public void isolate(int i) throws IOException {
        nft(i, "add", "table", "inet", "vipdtest");
        for (String hook : List.of("input", "output")) {
            nft(i, "add", "chain", "inet", "vipdtest", hook, "{", "type", "filter", "hook", hook, "priority", "-10",
                    ";", "}");
            for (int p = 1; p <= hostCount; p++) {
                if (p != i) {
                    nft(i, "add", "rule", "inet", "vipdtest", hook, "ip", hook.equals("input") ? "saddr" : "daddr",
                            SUBNET + p, "drop");
                }
            }
            if (hook.equals("output")) { // multicast (VRRP adverts) would still reach the peers otherwise
                nft(i, "add", "rule", "inet", "vipdtest", hook, "ip", "daddr", "224.0.0.0/4", "drop");
            }
        }
    }

    /**
     * Drops {@code percent} % of host i's frames, IP and ARP, both directions. (tc netem is what one would use, but
     * this kernel has no sch_netem; nftables' random number generator gives the same loss.)
     */
    public void loss(int i, int percent) throws IOException {
        for (String family : List.of("inet", "arp")) {
            nft(i, "add", "table", family, "vipdtest");
            for (String hook : List.of("input", "output")) {
                nft(i, "add", "chain", family, "vipdtest", hook, "{", "type", "filter", "hook", hook, "priority",
                        "-10", ";", "}");
                nft(i, "add", "rule", family, "vipdtest", hook, "numgen", "random", "mod", "100", "<",
                        String.valueOf(percent), "drop");
            }
        }
    }

    /** Removes what {@link #isolate} and {@link #loss} added. */
    public void heal(int i) throws IOException {
        for (String family : List.of("inet", "arp")) {
            Shell.run(List.of("ip", "netns", "exec", hostNs(i), "nft", "delete", "table", family, "vipdtest"), 20_000);
        }
    }

    /** Makes host i's daemon the Raft leader ({@code vipctl lead}) and waits until every daemon agrees. */
    public void lead(int i) throws IOException {
        // A transfer fails when leadership moves while it runs (DIFFERENT_LEADER): retry, as an operator would.
        String answer = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            answer = ControlClient.request(socketPath(i), "lead", 15_000);
            if (!answer.contains("\"error\"")) {
                waitUntil(node(i) + " is leader", 10_000, () -> leader() == i);
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("lead on " + node(i) + ": " + answer);
    }

    /** Index of the host whose daemon is the Raft leader (asked of every running daemon), or 0. */
    public int leader() {
        for (int i = 1; i <= hostCount; i++) {
            JsonNode s = running(i) ? status(i) : null;
            if (s != null && !s.get("leader").isNull()) {
                String id = s.get("leader").asText();
                for (int h = 1; h <= hostCount; h++) {
                    if (node(h).equals(id)) {
                        return h;
                    }
                }
            }
        }
        return 0;
    }

    /** The host's cable: the bridge port of host i goes down or up. The host keeps its addresses. */
    public void link(int i, boolean up) throws IOException {
        Shell.ok("ip", "-n", switchNs(), "link", "set", "dev", "p" + i, up ? "up" : "down");
    }

    public MacAddress mac(int i) {
        return macs[i];
    }

    /** Host index owning {@code mac}, or 0 if none. */
    public int hostOf(MacAddress mac) {
        for (int i = 1; i <= hostCount; i++) {
            if (macs[i].equals(mac)) {
                return i;
            }
        }
        return 0;
    }

    private final Map<String, ServerSocket> services = new LinkedHashMap<>();

    /**
     * Starts or stops a TCP service (accepts and closes connections) on {@code port} in host i: the backend a
     * health check watches.
     */
    public synchronized void service(int i, int port, boolean up) throws IOException {
        String key = i + ":" + port;
        if (!up) {
            ServerSocket s = services.remove(key);
            if (s != null) {
                s.close();
            }
            return;
        }
        if (services.containsKey(key)) {
            return;
        }
        ServerSocket server = Netns.call(hostNs(i), () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return s;
        });
        services.put(key, server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    server.accept().close();
                } catch (IOException e) {
                    // closed when stopped
                }
            }
        }, "service-" + key);
        t.setDaemon(true);
        t.start();
    }

    /** Sends one control request (as vipctl does) to host i's daemon and returns its JSON answer. */
    public JsonNode control(int i, String request, long timeoutMs) throws IOException {
        return JSON.readTree(ControlClient.request(socketPath(i), request, timeoutMs));
    }

    /**
     * The host whose MAC alone answered the referee's ARP requests for {@code vip} in the last 300 ms, or 0 when
     * none did or several did.
     */
    public int answeringHost(String vip) {
        List<ArpReferee.Observation> recent = referee.since(System.nanoTime() - 300_000_000L);
        List<MacAddress> macs = ArpReferee.answerers(recent, vip(vip));
        return macs.size() == 1 ? hostOf(macs.get(0)) : 0;
    }

    /**
     * A handover as the client sees it: from the last ARP answer by host {@code from}'s MAC to the first answer (or
     * gratuitous ARP) from host {@code to}'s MAC after the action, looking from half a second before the action (a
     * fast handover can be over before the next request round). -1 if either is missing.
     */
    public long handoverGapMillis(String vipName, int from, int to, long actionNanos) {
        long lastOld = Long.MIN_VALUE;
        long firstNew = Long.MAX_VALUE;
        for (ArpReferee.Observation o : referee.since(actionNanos - 500_000_000L)) {
            if (!o.vip().equals(vip(vipName))) {
                continue;
            }
            if (o.mac().equals(mac(from))) {
                lastOld = Math.max(lastOld, o.nanos());
            } else if (o.mac().equals(mac(to)) && o.nanos() - actionNanos > 0) {
                firstNew = Math.min(firstNew, o.nanos());
            }
        }
        return lastOld == Long.MIN_VALUE || firstNew == Long.MAX_VALUE ? -1 : (firstNew - lastOld) / 1_000_000L;
    }

    /** The daemon's {@code vipctl status --json} report, or null if it does not answer. */
    public JsonNode status(int i) {
        try {
            return JSON.readTree(ControlClient.request(socketPath(i), "status", 3000));
        } catch (IOException e) {
            return null;
        }
    }

    /** Which node owns {@code vip} according to host i's daemon, or null. */
    public String ownerSeenBy(int i, String vip) {
        JsonNode s = status(i);
        if (s == null) {
            return null;
        }
        for (JsonNode v : s.get("vips")) {
            if (v.get("name").asText().equals(vip)) {
                return v.get("owner").isNull() ? null : v.get("owner").asText();
            }
        }
        return null;
    }

    /** Whether host i carries {@code address} on any interface (asked of the kernel, not the daemon). */
    public boolean hasAddress(int i, Inet4Address address) throws IOException {
        return Shell.ok("ip", "-n", hostNs(i), "-o", "-4", "addr", "show").contains(" " + address.getHostAddress() + "/");
    }

    /** Connects from the client to {@code address}:8080 and returns the node id that answered, or null. */
    public String connect(Inet4Address address, int timeoutMs) {
        try {
            return Netns.call(clientNs(), () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, NAME_PORT), timeoutMs);
                    s.setSoTimeout(timeoutMs);
                    InputStream in = s.getInputStream();
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                }
            });
        } catch (IOException e) {
            return null;
        }
    }

    /** Polls {@code condition} every 50 ms until it holds, failing after {@code timeoutMs}. */
    public static void waitUntil(String what, long timeoutMs, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

    public String log(int i) {
        try {
            return Files.readString(logPath(i));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public synchronized void close() {
        for (ServerSocket s : services.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // tear-down continues
            }
        }
        services.clear();
        if (referee != null) {
            try {
                referee.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            referee = null;
        }
        for (Process p : daemons) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly(); // SIGKILL by pid
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (Process p : others) {
            if (p.isAlive()) {
                killTree(p);
            }
        }
        others.clear();
        for (ServerSocket s : nameServers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
        nameServers.clear();
        for (int k = namespaces.size() - 1; k >= 0; k--) {
            Shell.quietly("ip", "netns", "del", namespaces.get(k));
        }
        namespaces.clear();
        if (System.getenv("VIPD_KEEP_LOGS") == null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }
}
