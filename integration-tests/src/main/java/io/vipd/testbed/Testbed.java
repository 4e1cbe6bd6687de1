package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.host.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Emulated hosts on one machine, built from its roles: the {@link Topology} (namespaces, bridge, veths, addresses),
 * the {@link Daemons} (a real vipd in every host, its configuration, logs and control socket), the {@link Faults}
 * (partition, loss, cable), the {@link HostServices} (a TCP name server in each host, health-check backends) and
 * the {@link Observation} (the ARP referee in the client namespace, kernel addresses, the daemons' views). This class
 * builds and tears them down in order and forwards the methods tests use. {@link #close()} removes every namespace
 * and kills every process it started, by pid.
 */
public final class Testbed implements AutoCloseable {
    public static final String SUBNET = Topology.SUBNET;
    public static final int RAFT_PORT = Daemons.RAFT_PORT;
    public static final int NAME_PORT = HostServices.NAME_PORT;

    private final Path workDir;
    private final TestbedTls tls;
    private final Topology topology;
    private final Daemons daemons;
    private final Faults faults;
    private final HostServices services;
    private final Observation observation;

    /**
     * @param vipNames    VIP i gets 198.18.0.(100 + i)
     * @param extraConfig lines appended to every node's vipd.conf
     */
    public Testbed(int hostCount, List<String> vipNames, Path vipdJar, String extraConfig) throws IOException {
        this(hostCount, vipNames, vipdJar, extraConfig, java.util.Set.of());
    }

    /** @param routed hosts on a subnet of their own, behind a router namespace ({@link Topology}) */
    public Testbed(int hostCount, List<String> vipNames, Path vipdJar, String extraConfig,
                   java.util.Set<Integer> routed) throws IOException {
        this.topology = new Topology(hostCount, vipNames, routed);
        this.workDir = Files.createTempDirectory("vipd-testbed-");
        this.tls = new TestbedTls(workDir.resolve("tls"), "vipd");
        for (int i = 1; i <= hostCount; i++) {
            tls.issue(topology.node(i), topology.hostAddress(i));
        }
        this.daemons = new Daemons(topology, vipdJar, workDir, tls, extraConfig);
        this.faults = new Faults(topology);
        this.services = new HostServices(topology);
        this.observation = new Observation(topology, daemons);
        Topology.removeLeftovers();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "testbed-cleanup"));
        try {
            topology.build();
            services.startNameServers();
            observation.startReferee();
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

    public Topology topology() {
        return topology;
    }

    public Daemons daemons() {
        return daemons;
    }

    public Faults faults() {
        return faults;
    }

    public HostServices services() {
        return services;
    }

    public Observation observation() {
        return observation;
    }

    /** The cluster CA and host certificates this testbed's daemons use. */
    public TestbedTls tls() {
        return tls;
    }

    public Path workDir() {
        return workDir;
    }

    // Topology

    public String hostNs(int i) { return topology.hostNs(i); }
    public String clientNs() { return topology.clientNs(); }
    public String node(int i) { return topology.node(i); }
    public Inet4Address vip(String name) { return topology.vip(name); }
    public Map<String, Inet4Address> vips() { return topology.vips(); }
    public int hostCount() { return topology.hostCount(); }
    public MacAddress mac(int i) { return topology.mac(i); }
    public MacAddress clientMac() { return topology.clientMac(); }
    public MacAddress plugSecondInterface(int i) throws IOException { return topology.plugSecondInterface(i); }
    public void secondLink(int i, boolean up) throws IOException { topology.secondLink(i, up); }
    public int hostOf(MacAddress mac) { return topology.hostOf(mac); }

    // Daemons and other processes

    public static List<String> javaCommand(Path jar, String mainClass) { return Daemons.javaCommand(jar, mainClass); }
    public static void killTree(Process p) { Daemons.killTree(p); }
    public Path configPath(int i) { return daemons.configPath(i); }
    public Path socketPath(int i) { return daemons.socketPath(i); }
    public Path logPath(int i) { return daemons.logPath(i); }
    public Path dataDir(int i) { return daemons.dataDir(i); }
    public String config(int i) { return daemons.config(i); }
    public String configWithout(int i, Set<String> withheld) { return daemons.configWithout(i, withheld); }
    public String configWithPeers(int i, Set<Integer> hosts) { return daemons.configWithPeers(i, hosts); }
    /** host:port of host i's Raft port. */
    public String raftAddress(int i) { return topology.hostAddress(i) + ":" + RAFT_PORT; }
    public void startAll() throws IOException { daemons.startAll(); }
    public void startDaemon(int i) throws IOException { daemons.start(i); }
    public void withoutNetCapabilities(int i) { daemons.withoutNetCapabilities(i); }
    public void startDaemon(int i, Map<String, String> environment) throws IOException {
        daemons.start(i, environment);
    }
    public void startDaemon(int i, Map<String, String> environment, String configText) throws IOException {
        daemons.start(i, environment, configText);
    }
    /** Starts {@code command} inside host i's namespace; killed (with its children) at {@link #close()}. */
    public Process spawn(int i, List<String> command, Path log) throws IOException {
        return daemons.spawnIn(hostNs(i), command, log);
    }
    /**
     * Starts {@code command} in the client's namespace: a host on the segment that is in no configuration (e.g. an
     * intruder); killed (with its children) at {@link #close()}.
     */
    public Process spawnInClient(List<String> command, Path log) throws IOException {
        return daemons.spawnIn(clientNs(), command, log);
    }
    public long pid(int i) { return daemons.pid(i); }
    public boolean running(int i) { return daemons.running(i); }
    public int exitStatus(int i, long timeoutMs) { return daemons.exitStatus(i, timeoutMs); }
    public void kill9(int i) throws IOException { daemons.kill9(i); }
    public long terminate(int i) throws IOException { return daemons.terminate(i); }
    public void pause(int i) throws IOException { daemons.pause(i); }
    public void resume(int i) throws IOException { daemons.resume(i); }
    public JsonNode control(int i, String request, long timeoutMs) throws IOException {
        return daemons.control(i, request, timeoutMs);
    }
    public JsonNode status(int i) { return daemons.status(i); }
    public Shell.Result vipctl(int i, String... args) throws IOException { return daemons.vipctl(i, args); }
    public void lead(int i) throws IOException { daemons.lead(i); }
    public int leader() { return daemons.leader(); }
    public String log(int i) { return daemons.log(i); }

    /** The client's IPv6 address, given by {@link #ndpReferee}. */
    public static final String CLIENT_V6 = "2001:db8::fa";

    /**
     * Starts an {@link NdpReferee} in the client namespace for {@code vips}, after giving the client an IPv6
     * address (without duplicate address detection, as every IPv6 address of the testbed); the caller closes it.
     */
    public NdpReferee ndpReferee(List<java.net.Inet6Address> vips) throws IOException {
        Shell.ok("ip", "-n", clientNs(), "addr", "add", CLIENT_V6 + "/64", "dev", "eth0", "nodad");
        return new NdpReferee(clientNs(), topology.clientIndex(), clientMac(),
                (java.net.Inet6Address) java.net.InetAddress.getByName(CLIENT_V6), vips, 50);
    }

    // Faults and services

    public void isolate(int i) throws IOException { faults.isolate(i); }
    public void loss(int i, int percent) throws IOException { faults.loss(i, percent); }
    public void heal(int i) throws IOException { faults.heal(i); }
    public void link(int i, boolean up) throws IOException { faults.link(i, up); }
    public void service(int i, int port, boolean up) throws IOException { services.service(i, port, up); }

    // Observation

    public static void waitUntil(String what, long timeoutMs, BooleanSupplier condition) {
        Observation.waitUntil(what, timeoutMs, condition);
    }
    public ArpReferee referee() { return observation.referee(); }
    public int answeringHost(String vip) { return observation.answeringHost(vip); }
    public boolean reachableSeenBy(int i, String node) { return observation.reachableSeenBy(i, node); }
    public long handoverGapMillis(String vipName, int from, int to, long actionNanos) {
        return observation.handoverGapMillis(vipName, from, to, actionNanos);
    }
    public String ownerSeenBy(int i, String vip) { return observation.ownerSeenBy(i, vip); }
    public JsonNode vipStatus(int i, String vip) { return observation.vipStatus(i, vip); }
    public List<String> conflicts(int i, String vip) { return observation.conflicts(i, vip); }
    public boolean everyNodeShowsConflict(String vip, String mac) { return observation.everyNodeShowsConflict(vip, mac); }
    public boolean noNodeShowsConflict(String vip) { return observation.noNodeShowsConflict(vip); }
    public boolean hasAddress(int i, Inet4Address address) throws IOException {
        return observation.hasAddress(i, address);
    }
    public String connect(Inet4Address address, int timeoutMs) { return observation.connect(address, timeoutMs); }
    public String httpGet(int i, int port, String path, int timeoutMs) throws IOException {
        return observation.httpGet(i, port, path, timeoutMs);
    }
    public List<Path> raftLogFiles(int i) throws IOException { return observation.raftLogFiles(i); }
    public long firstLogIndexOnDisk(int i) throws IOException { return observation.firstLogIndexOnDisk(i); }

    /**
     * Tears down in this order: health-check services, the referee, the daemons (SIGKILL by pid) and every other
     * process started in a namespace (with its children), the name servers, the namespaces (last created first), and
     * the work directory unless VIPD_KEEP_LOGS is set.
     */
    @Override
    public synchronized void close() {
        services.closeServices();
        observation.closeReferee();
        daemons.close();
        services.closeNameServers();
        topology.close();
        if (System.getenv("VIPD_KEEP_LOGS") == null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }
}
