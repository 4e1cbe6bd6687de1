package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipd.control.ControlClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The vipd daemons of a testbed, one per host namespace, and the other processes a test starts in the namespaces:
 * their configuration, files and logs under the work directory, their control sockets, and starting, signalling
 * and stopping them. Every process is started here and killed by pid at {@link #close()}.
 */
public final class Daemons {
    public static final int RAFT_PORT = 7400;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Topology topology;
    private final Path vipdJar;
    private final Path workDir;
    private final TestbedTls tls;
    private final String extraConfig;
    private final Process[] daemons;
    private final List<Process> others = new ArrayList<>();

    /** @param extraConfig lines appended to every node's vipd.conf */
    Daemons(Topology topology, Path vipdJar, Path workDir, TestbedTls tls, String extraConfig) {
        this.topology = topology;
        this.vipdJar = vipdJar;
        this.workDir = workDir;
        this.tls = tls;
        this.extraConfig = extraConfig;
        this.daemons = new Process[topology.hostCount() + 1];
    }

    /**
     * The command that runs vipd's jar: the daemon ({@code mainClass} null) with the JVM flags the packages ship
     * (packaging/common/vipd.jvm, found from the jar's place in the build, so benchmarks measure what ships) and
     * then those of VIPD_JAVA_OPTS, as the launcher does; any other main class with small one-shot flags.
     */
    public static List<String> javaCommand(Path jar, String mainClass) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (mainClass == null) {
            cmd.add("@" + shippedJvmFlags(jar));
            String extra = System.getenv("VIPD_JAVA_OPTS");
            if (extra != null && !extra.isBlank()) {
                cmd.addAll(List.of(extra.trim().split("\\s+")));
            }
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", jar.toString(),
                    mainClass));
        }
        return cmd;
    }

    /** packaging/common/vipd.jvm of the source tree that built {@code jar} (daemon/target/vipd.jar). */
    static Path shippedJvmFlags(Path jar) {
        Path root = jar.toAbsolutePath().getParent().getParent().getParent();
        Path flags = root.resolve("packaging/common/vipd.jvm");
        if (!Files.isRegularFile(flags)) {
            throw new IllegalStateException("the daemon's JVM flags are not at " + flags + " (the jar " + jar
                    + " is expected at daemon/target/ of the source tree)");
        }
        return flags;
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

    private String node(int i) {
        return topology.node(i);
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

    /** Host i's default data directory (data.dir in {@link #config}). */
    public Path dataDir(int i) {
        return workDir.resolve(node(i)).resolve("data");
    }

    public String config(int i) {
        StringBuilder sb = new StringBuilder();
        sb.append("node.id = ").append(node(i)).append('\n');
        sb.append("data.dir = ").append(dataDir(i)).append('\n');
        sb.append("control.socket = ").append(socketPath(i)).append('\n');
        if (!extraConfig.contains("insecure = true")) {
            sb.append(tls.configLines(node(i)));
        }
        for (int p = 1; p <= topology.hostCount(); p++) {
            sb.append("peer.").append(node(p)).append(" = ").append(topology.hostAddress(p)).append(':')
                    .append(RAFT_PORT).append('\n');
        }
        topology.vips().forEach((name, address) -> sb.append("vip.").append(name).append(".address = ")
                .append(address.getHostAddress()).append("/24\nvip.").append(name).append(".interface = eth0\n"));
        sb.append(extraConfig);
        return sb.toString();
    }

    /**
     * Host i's configuration naming only the given hosts as peers (a cluster that starts smaller than the testbed,
     * and grows by membership changes).
     */
    public String configWithPeers(int i, Set<Integer> hosts) {
        StringBuilder sb = new StringBuilder();
        for (String line : config(i).split("\n")) {
            boolean otherPeer = line.startsWith("peer.") && hosts.stream().noneMatch(h -> line.startsWith(
                    "peer." + node(h) + " "));
            if (!otherPeer) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** Host i's configuration without the lines of the given VIPs (for VIPs a test adds later by a reload). */
    public String configWithout(int i, Set<String> withheld) {
        StringBuilder sb = new StringBuilder();
        for (String line : config(i).split("\n")) {
            if (withheld.stream().noneMatch(v -> line.startsWith("vip." + v + "."))) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    public void startAll() throws IOException {
        for (int i = 1; i <= topology.hostCount(); i++) {
            start(i);
        }
    }

    /** Hosts whose daemon starts without CAP_NET_ADMIN and CAP_NET_RAW. */
    private final java.util.Set<Integer> withoutNetCapabilities = new java.util.HashSet<>();

    public void start(int i) throws IOException {
        start(i, Map.of());
    }

    /** From now on host i's daemon starts without CAP_NET_ADMIN and CAP_NET_RAW (as a witness may). */
    public void withoutNetCapabilities(int i) {
        withoutNetCapabilities.add(i);
    }

    /** Starts host i's daemon with extra environment variables (e.g. NOTIFY_SOCKET). */
    public void start(int i, Map<String, String> environment) throws IOException {
        start(i, environment, config(i));
    }

    /** Starts host i's daemon with the given configuration text (written to {@link #configPath}). */
    public void start(int i, Map<String, String> environment, String configText) throws IOException {
        Files.createDirectories(configPath(i).getParent());
        Files.writeString(configPath(i), configText);
        // As systemd does, start the daemon with default signal dispositions: a test run under nohup would otherwise
        // pass on an ignored SIGHUP, and the JVM keeps ignored signals ignored.
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.hostNs(i), "env",
                "--default-signal=HUP"));
        if (withoutNetCapabilities.contains(i)) { // dropped from the bounding set: root cannot regain them
            cmd.addAll(List.of("setpriv", "--bounding-set", "-net_admin,-net_raw"));
        }
        cmd.addAll(javaCommand(vipdJar, null));
        cmd.addAll(List.of("-c", configPath(i).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logPath(i).toFile()));
        pb.environment().putAll(environment);
        daemons[i] = pb.start(); // ip netns exec and env exec java: this pid is the daemon's
    }

    /** Starts {@code command} inside {@code namespace}; killed (with its children) at {@link #close()}. */
    synchronized Process spawnIn(String namespace, List<String> command, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        others.add(p);
        return p;
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
            return daemons[i].waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? daemons[i].exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public void kill9(int i) throws IOException {
        Shell.ok("kill", "-KILL", String.valueOf(pid(i)));
        Observation.waitUntil("daemon " + node(i) + " gone", 10_000, () -> !daemons[i].isAlive());
    }

    /**
     * SIGTERMs host i's daemon (as systemctl stop does) and waits until it has exited; returns the milliseconds from
     * the signal to the exit, as the process table shows it.
     */
    public long terminate(int i) throws IOException {
        long signalled = System.nanoTime();
        daemons[i].destroy(); // SIGTERM, sent by this JVM: no kill process to start
        try {
            if (!daemons[i].waitFor(15, TimeUnit.SECONDS)) {
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

    /** Sends one control request (as vipctl does) to host i's daemon and returns its JSON answer. */
    public JsonNode control(int i, String request, long timeoutMs) throws IOException {
        return JSON.readTree(ControlClient.request(socketPath(i), request, timeoutMs));
    }

    /** The daemon's {@code vipctl status --json} report, or null if it does not answer. */
    /** vipctl itself (a separate JVM, from the daemons' jar) against host i's daemon; bounded at 30 s. */
    public Shell.Result vipctl(int i, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(javaCommand(vipdJar, "io.vipd.cli.Vipctl"));
        cmd.addAll(List.of("--socket", socketPath(i).toString()));
        cmd.addAll(List.of(args));
        return Shell.run(cmd, 30_000);
    }

    public JsonNode status(int i) {
        try {
            return JSON.readTree(ControlClient.request(socketPath(i), "status", 3000));
        } catch (IOException e) {
            return null;
        }
    }

    /** Makes host i's daemon the Raft leader ({@code vipctl lead}) and waits until every daemon agrees. */
    public void lead(int i) throws IOException {
        // A transfer fails when leadership moves while it runs (DIFFERENT_LEADER): retry, as an operator would.
        String answer = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            answer = ControlClient.request(socketPath(i), "lead", 15_000);
            if (!answer.contains("\"error\"")) {
                Observation.waitUntil(node(i) + " is leader", 10_000, () -> leader() == i);
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
        for (int i = 1; i <= topology.hostCount(); i++) {
            JsonNode s = running(i) ? status(i) : null;
            if (s != null && !s.get("leader").isNull()) {
                String id = s.get("leader").asText();
                for (int h = 1; h <= topology.hostCount(); h++) {
                    if (node(h).equals(id)) {
                        return h;
                    }
                }
            }
        }
        return 0;
    }

    public String log(int i) {
        try {
            return Files.readString(logPath(i));
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILLs every daemon (and waits for it), then every other process started here with its children, by pid. */
    synchronized void close() {
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
    }
}
