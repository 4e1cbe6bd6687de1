package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.host.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What a test sees of a testbed: the client-side ARP referee (who answers for a VIP, handover gaps), the client's
 * TCP connections to a VIP, the hosts' kernel addresses, each daemon's view of the owners, and the Raft log files
 * the daemons left on disk.
 */
public final class Observation {
    private final Topology topology;
    private final Daemons daemons;
    private ArpReferee referee;

    Observation(Topology topology, Daemons daemons) {
        this.topology = topology;
        this.daemons = daemons;
    }

    /** Starts the referee in the client's namespace, asking for every VIP every 50 ms. */
    void startReferee() throws IOException {
        referee = new ArpReferee(topology.clientNs(), topology.clientIndex(), topology.clientMac(),
                topology.clientAddress(), List.copyOf(topology.vips().values()),
                Integer.getInteger("vipd.referee.ms", 50)); // ScaleBenchmark slows it for many VIPs
    }

    public ArpReferee referee() {
        return referee;
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

    /**
     * The host whose MAC alone answered the referee's ARP requests for {@code vip} in the last 300 ms, or 0 when
     * none did or several did.
     */
    public int answeringHost(String vip) {
        return answeringHost(topology.vip(vip));
    }

    /** {@link #answeringHost(String)} by address. */
    public int answeringHost(java.net.Inet4Address vip) {
        List<ArpReferee.Observation> recent = referee.since(System.nanoTime() - 300_000_000L);
        List<MacAddress> macs = ArpReferee.answerers(recent, vip);
        return macs.size() == 1 ? topology.hostOf(macs.get(0)) : 0;
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
            if (!o.vip().equals(topology.vip(vipName))) {
                continue;
            }
            if (o.mac().equals(topology.mac(from))) {
                lastOld = Math.max(lastOld, o.nanos());
            } else if (o.mac().equals(topology.mac(to)) && o.nanos() - actionNanos > 0) {
                firstNew = Math.min(firstNew, o.nanos());
            }
        }
        return lastOld == Long.MIN_VALUE || firstNew == Long.MAX_VALUE ? -1 : (firstNew - lastOld) / 1_000_000L;
    }

    /** Whether host i's daemon sees {@code node} as reachable (renewing); false if it does not answer. */
    public boolean reachableSeenBy(int i, String node) {
        JsonNode s = daemons.status(i);
        if (s == null || s.get("nodes") == null) {
            return false;
        }
        for (JsonNode n : s.get("nodes")) {
            if (n.get("id").asText().equals(node)) {
                return n.get("reachable").asBoolean();
            }
        }
        return false;
    }

    /** Which node owns {@code vip} according to host i's daemon, or null. */
    public String ownerSeenBy(int i, String vip) {
        JsonNode v = vipStatus(i, vip);
        return v == null || v.get("owner").isNull() ? null : v.get("owner").asText();
    }

    /** The status entry of {@code vip} as host i's daemon shows it, or null. */
    public JsonNode vipStatus(int i, String vip) {
        JsonNode s = daemons.status(i);
        if (s == null) {
            return null;
        }
        for (JsonNode v : s.get("vips")) {
            if (v.get("name").asText().equals(vip)) {
                return v;
            }
        }
        return null;
    }

    /** The conflicts host i's status shows for {@code vip} ("MAC ... as KIND" lines); empty if none or no answer. */
    public List<String> conflicts(int i, String vip) {
        JsonNode v = vipStatus(i, vip);
        List<String> out = new java.util.ArrayList<>();
        if (v != null && v.hasNonNull("conflicts")) {
            v.get("conflicts").forEach(c -> out.add(c.asText()));
        }
        return out;
    }

    /** Whether every host's status shows a conflict on {@code vip} from {@code mac}. */
    public boolean everyNodeShowsConflict(String vip, String mac) {
        for (int i = 1; i <= topology.hostCount(); i++) {
            if (conflicts(i, vip).stream().noneMatch(c -> c.startsWith(mac))) {
                return false;
            }
        }
        return true;
    }

    /** Whether no host's status shows a conflict on {@code vip}. */
    public boolean noNodeShowsConflict(String vip) {
        for (int i = 1; i <= topology.hostCount(); i++) {
            if (!conflicts(i, vip).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Whether host i carries {@code address} on any interface (asked of the kernel, not the daemon). */
    public boolean hasAddress(int i, Inet4Address address) throws IOException {
        return Shell.ok("ip", "-n", topology.hostNs(i), "-o", "-4", "addr", "show")
                .contains(" " + address.getHostAddress() + "/");
    }

    /** Connects from the client to {@code address}:8080 and returns the node id that answered, or null. */
    public String connect(Inet4Address address, int timeoutMs) {
        try {
            return Netns.call(topology.clientNs(), () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, HostServices.NAME_PORT), timeoutMs);
                    s.setSoTimeout(timeoutMs);
                    InputStream in = s.getInputStream();
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                }
            });
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * An HTTP/1.0 GET of {@code path} on host i's {@code port}, from the client namespace (as a scraper on the
     * network would): the body of a 200 answer.
     *
     * @throws IOException for no connection or another status
     */
    public String httpGet(int i, int port, String path, int timeoutMs) throws IOException {
        String address = topology.hostAddress(i);
        String answer = Netns.call(topology.clientNs(), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), timeoutMs);
                s.setSoTimeout(timeoutMs);
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: " + address + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        int end = answer.indexOf("\r\n\r\n");
        if (!answer.startsWith("HTTP/1.") || end < 0 || !answer.substring(0, answer.indexOf("\r\n")).contains(" 200 ")) {
            throw new IOException("GET http://" + address + ":" + port + path + ": " + answer.lines().findFirst()
                    .orElse("no answer"));
        }
        return answer.substring(end + 4);
    }

    /** The Raft log files (segments) in host i's default data directory, whatever the group's directory is. */
    public List<Path> raftLogFiles(int i) throws IOException {
        Path raft = daemons.dataDir(i).resolve("raft");
        if (!Files.isDirectory(raft)) {
            return List.of();
        }
        // Ratis renames and deletes files (snapshot temporaries, purged segments) while the walk runs: a file that
        // vanished mid-walk is no error, walk again (bounded)
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> files = Files.walk(raft)) {
                return files.filter(f -> f.getFileName().toString().startsWith("log_")).sorted().toList();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e.getCause();
                }
            }
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

    void closeReferee() {
        if (referee != null) {
            try {
                referee.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            referee = null;
        }
    }
}
