package io.vipd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.control.AsOtherUser;
import io.vipd.control.ControlAccess;
import io.vipd.control.ControlServer;
import io.vipd.control.StatusReport;
import io.vipd.control.UnixAccounts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VipctlTest {
    static final StatusReport REPORT = new StatusReport("n1", "vipd", "FOLLOWER", "n2", 4, 99,
            List.of(new StatusReport.NodeStatus("n1", "198.18.0.1:7400", "FOLLOWER", true, false, true, 20, false, null),
                    new StatusReport.NodeStatus("n2", "198.18.0.2:7400", "LEADER", true, true, false, 40, false, null),
                    new StatusReport.NodeStatus("n3", "198.18.0.3:7400", "UNKNOWN", false, false, false, 5000, true,
                            "catching up with the leader's log: holds up to index 10, the leader committed 900")),
            List.of(new StatusReport.VipStatus("web", "198.18.0.100/24", "eth0", "n1", 3, "2026-11-22T03:00:00Z",
                    "least loaded; previous owner n3 stopped renewing", true, "held", 40, null, List.of("n1", "n2"),
                    "on, delay 2000 ms", new java.util.TreeMap<>(java.util.Map.of("n1", "ok", "n2",
                            "tcp 127.0.0.1:80: connection refused (3 in a row)", "n3", "no check results reported yet")), java.util.Map.of("n3", "198.18.0.200/24"),
                    "02:00:00:00:00:01", List.of("52:54:00:aa:bb:cc (not a cluster member) heard by n2 since "
                            + "2026-11-22T03:00:01Z as reply"))));

    record Run(int exit, String out, String err) {}

    static Run vipctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new Vipctl()).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void noDaemonIsOneLineAndExitThree(@TempDir Path dir) {
        Run r = vipctl("--socket", dir.resolve("vipd.sock").toString(), "status");
        assertEquals(Vipctl.EXIT_NOT_RUNNING, r.exit());
        assertEquals("vipd is not running (no control socket at " + dir.resolve("vipd.sock") + ")\n", r.err());
    }

    @Test
    void staleSocketFileIsAlsoNotRunning(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, () -> REPORT)) {
            // a daemon that died leaves its socket file behind
        }
        Files.createFile(sock);
        Run r = vipctl("--socket", sock.toString(), "status");
        assertEquals(3, r.exit());
        assertTrue(r.err().startsWith("vipd is not running"), r.err());
    }

    @Test
    void statusTableAndJsonFromARealControlSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("run").resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, () -> REPORT)) {
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
            Run table = vipctl("--socket", sock.toString(), "status");
            assertEquals(0, table.exit(), table.err());
            assertTrue(table.out().startsWith("cluster vipd: this node n1 is FOLLOWER; leader n2; term 4"), table.out());
            assertTrue(table.out().contains("n3         198.18.0.3:7400  UNKNOWN   no         5000 ms ago"), table.out());
            assertTrue(table.out().contains("web  198.18.0.100/24  eth0       n1     02:00:00:00:00:01  3"),
                    table.out());
            assertTrue(table.out().contains("CONFLICT on web 198.18.0.100/24: another MAC answers for it (owner n1 at "
                    + "02:00:00:00:00:01):\n  52:54:00:aa:bb:cc (not a cluster member) heard by n2 since "
                    + "2026-11-22T03:00:01Z as reply\n"), table.out());
            assertTrue(table.out().contains("held (renewed 40 ms ago)  least loaded; previous owner n3 stopped renewing"),
                    table.out());
            assertTrue(table.out().contains("5000 ms ago   yes"), "n3 shown drained:\n" + table.out());
            assertTrue(table.out().contains("n3 gets no VIPs: catching up with the leader's log: holds up to index 10"),
                    "n3 shown lagging:\n" + table.out());
            assertTrue(table.out().contains("web: prefer n1, n2; preempt on, delay 2000 ms; checks: n1 ok, n2 tcp "
                    + "127.0.0.1:80: connection refused (3 in a row), n3 no check results reported yet; CONFIG MISMATCH (not "
                    + "given to them): n3 has 198.18.0.200/24"), table.out());
            Run json = vipctl("--socket", sock.toString(), "status", "--json");
            assertEquals(0, json.exit());
            assertEquals(REPORT, Vipctl.JSON.readValue(json.out(), StatusReport.class));
            // a second daemon on the same socket is refused
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> ControlServer.start(sock, () -> REPORT));
            assertTrue(e.getMessage().contains("another vipd is already running"), e.getMessage());
        }
    }

    /** A daemon stand-in that records the move and drain requests it got, and refuses one move with a reason. */
    static final class Recorder implements io.vipd.control.ControlHandler.Service {
        final java.util.List<String> requests = new java.util.ArrayList<>();

        @Override
        public StatusReport status() {
            return REPORT;
        }

        @Override
        public String move(io.vipd.control.Caller caller, String vip, String node) {
            requests.add("move " + vip + " " + node);
            if (node.equals("n3")) {
                throw new IllegalArgumentException("n3 is drained (vipctl undrain n3 first)");
            }
            return vip + " moved from n1 to " + node + " (epoch 4)";
        }

        @Override
        public String drain(io.vipd.control.Caller caller, String node, boolean drained) {
            requests.add((drained ? "drain " : "undrain ") + node);
            return node + (drained ? " drained: it owns no VIP" : " undrained");
        }
    }

    static final io.vipd.control.HistoryReport HISTORY = new io.vipd.control.HistoryReport("vipd", 12, List.of(
            new io.vipd.control.HistoryReport.Event(10, "2026-12-07T08:00:00Z", "web", "failover", "n1", "n2", 3,
                    "least loaded; previous owner n1 stopped renewing (failover after 851 ms without a renewal)"),
            new io.vipd.control.HistoryReport.Event(11, "2026-12-07T08:05:00Z", "db", "handover", "n2", "n3", 5,
                    "moved by root on n1"),
            new io.vipd.control.HistoryReport.Event(12, "2026-12-07T08:05:00.040Z", "db", "handed over", "n2", "n3", 5,
                    "moved by root on n1")));

    @Test
    void historyAsATableFilteredByVipAndTimeOrAsJson(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        io.vipd.control.ControlHandler.Service service = new io.vipd.control.ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return REPORT;
            }

            @Override
            public io.vipd.control.HistoryReport history() {
                return HISTORY;
            }
        };
        try (ControlServer server = ControlServer.start(sock, service)) {
            Run all = vipctl("--socket", sock.toString(), "history");
            assertEquals(0, all.exit(), all.err());
            assertEquals(List.of(
                    "ownership history of cluster vipd: 3 of 3 events kept (9 older ones dropped)",
                    "",
                    "#   TIME                      VIP  CHANGE       FROM  TO  EPOCH  WHY",
                    "10  2026-12-07T08:00:00Z      web  failover     n1    n2  3      least loaded; previous owner n1 "
                            + "stopped renewing (failover after 851 ms without a renewal)",
                    "11  2026-12-07T08:05:00Z      db   handover     n2    n3  5      moved by root on n1",
                    "12  2026-12-07T08:05:00.040Z  db   handed over  n2    n3  5      moved by root on n1"),
                    all.out().lines().toList());
            Run db = vipctl("--socket", sock.toString(), "history", "db", "--since", "2026-12-07T08:05:00.010Z");
            assertEquals(0, db.exit(), db.err());
            assertTrue(db.out().startsWith("ownership history of cluster vipd: 1 of 3 events kept"), db.out());
            assertTrue(db.out().contains("handed over"), db.out());
            Run json = vipctl("--socket", sock.toString(), "history", "web", "--json");
            assertEquals(List.of(HISTORY.events().get(0)), List.of(Vipctl.JSON.readValue(json.out(),
                    io.vipd.control.HistoryReport.Event[].class)));
            Run bad = vipctl("--socket", sock.toString(), "history", "--since", "yesterday");
            assertEquals(2, bad.exit());
            assertTrue(bad.err().contains("--since 'yesterday' is neither a time ago (90s, 15m, 2h, 7d) nor an "
                    + "ISO-8601 time"), bad.err());
        }
        java.time.Instant now = java.time.Instant.parse("2026-12-07T10:00:00Z");
        assertEquals(java.time.Instant.parse("2026-12-07T08:00:00Z"), HistoryText.since("2h", now));
        assertEquals(java.time.Instant.parse("2026-12-07T09:59:30Z"), HistoryText.since("30s", now));
    }

    @Test
    void watchPrintsEachEventUntilTheDaemonCloses(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.function.Consumer<String>> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.vipd.control.ControlHandler.Service service = new io.vipd.control.ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return REPORT;
            }

            @Override
            public AutoCloseable watch(java.util.function.Consumer<String> lines) {
                subscribers.add(lines);
                subscribed.countDown();
                return () -> { };
            }
        };
        ControlServer server = ControlServer.start(sock, service);
        Thread daemon = new Thread(() -> {
            try {
                subscribed.await();
                Thread.sleep(100); // the "watching" line first
                subscribers.get(0).accept("{\"time\":\"2026-12-07T08:00:00Z\",\"event\":\"ownership\",\"vip\":"
                        + "\"web\",\"change\":\"failover\",\"from\":\"n1\",\"to\":\"n2\",\"epoch\":3,\"reason\":"
                        + "\"least loaded\"}");
                subscribers.get(0).accept("{\"time\":\"2026-12-07T08:00:01Z\",\"event\":\"reload\",\"result\":\"ok\"}");
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.close(); // the daemon stops: the watch ends
        });
        daemon.start();
        Run r = vipctl("--socket", sock.toString(), "watch");
        daemon.join(5000);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("watching vipd (Ctrl-C to stop): events as this node applies or sees them",
                "2026-12-07T08:00:00Z  web failover n1 -> n2 (epoch 3): least loaded",
                "2026-12-07T08:00:01Z  configuration reload ok"), r.out().lines().toList());
    }

    @Test
    void moveDrainUndrainReachTheDaemonAndRefusalsExitOne(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        Recorder daemon = new Recorder();
        try (ControlServer server = ControlServer.start(sock, daemon)) {
            Run move = vipctl("--socket", sock.toString(), "move", "web", "n2");
            assertEquals(0, move.exit(), move.err());
            assertEquals("web moved from n1 to n2 (epoch 4)\n", move.out());
            Run refused = vipctl("--socket", sock.toString(), "move", "web", "n3");
            assertEquals(1, refused.exit());
            assertEquals("vipd: n3 is drained (vipctl undrain n3 first)\n", refused.err());
            assertEquals(0, vipctl("--socket", sock.toString(), "drain").exit()); // this node, from status
            assertEquals(0, vipctl("--socket", sock.toString(), "undrain", "n2").exit());
            assertEquals(2, vipctl("--socket", sock.toString(), "move", "web").exit(), "NODE is required");
            assertEquals(2, vipctl("--socket", sock.toString(), "move", "web x", "n2").exit(), "bad VIP name");
        }
        assertEquals(java.util.List.of("move web n2", "move web n3", "drain n1", "undrain n2"), daemon.requests);
    }

    @Test
    void aUserWithoutAccessIsToldPermissionDeniedNotNotRunning(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, () -> REPORT)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Run status = io.vipd.control.AsOtherUser.call(() -> vipctl("--socket", sock.toString(), "status"));
            assertEquals(Vipctl.EXIT_PERMISSION_DENIED, status.exit());
            assertEquals(4, status.exit());
            assertEquals("vipctl: permission denied on " + sock + " (run as root or as the vipd user; for status, as "
                    + "a member of the group control.group names, vipd by default)\n", status.err());
            // drain without NODE asks for this node's name first: the same refusal, the same exit code
            Run drain = io.vipd.control.AsOtherUser.call(() -> vipctl("--socket", sock.toString(), "drain"));
            assertEquals(4, drain.exit(), drain.err());
        }
    }

    @Test
    void aRequestTheDaemonRefusesForTheUserIsPermissionDeniedToo(@TempDir Path dir) throws Exception {
        java.util.OptionalInt daemonGroup = UnixAccounts.system().groupId("daemon");
        org.junit.jupiter.api.Assumptions.assumeTrue(daemonGroup.isPresent(), "no group 'daemon' on this host");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sock = dir.resolve("vipd.sock");
        Recorder daemon = new Recorder();
        try (ControlServer server = ControlServer.start(sock, daemon,
                ControlAccess.forThisProcess("daemon", UnixAccounts.system()))) {
            // nobody, with 'daemon' among its groups: a reader
            AsOtherUser.Ids reader = new AsOtherUser.Ids(AsOtherUser.NOBODY, AsOtherUser.NOBODY,
                    daemonGroup.getAsInt());
            Run status = AsOtherUser.callAs(reader, () -> vipctl("--socket", sock.toString(), "status"));
            assertEquals(0, status.exit(), status.err());
            Run move = AsOtherUser.callAs(reader, () -> vipctl("--socket", sock.toString(), "move", "web", "n2"));
            assertEquals(Vipctl.EXIT_PERMISSION_DENIED, move.exit());
            String nobody = UnixAccounts.system().userName(AsOtherUser.NOBODY);
            assertEquals("vipd: permission denied: " + nobody + " (uid 65534) may only read (status, history, watch, doctor)\n", move.err());
            assertTrue(!move.out().contains("moved"), move.out()); // (the daemon's log, in this JVM, goes there)
        }
        assertEquals(List.of(), daemon.requests, "the refused move never reached the daemon");
    }

    @Test
    void tooManyControlConnectionsIsTheDaemonsErrorNotAnUnreadableAnswer(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        List<java.nio.channels.SocketChannel> held = new java.util.ArrayList<>();
        try (ControlServer server = ControlServer.start(sock, () -> REPORT)) {
            for (int i = 0; i < 32; i++) {
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                        java.net.StandardProtocolFamily.UNIX);
                ch.connect(java.net.UnixDomainSocketAddress.of(sock));
                held.add(ch);
            }
            Run r = vipctl("--socket", sock.toString(), "status");
            assertEquals(1, r.exit());
            assertEquals("vipd: too many control connections (max 32)\n", r.err());
        } finally {
            for (java.nio.channels.SocketChannel ch : held) {
                ch.close();
            }
        }
    }

    @Test
    void helpListsTheExitCodes() {
        Run help = vipctl("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("3   vipd is not running"), help.out());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("4 permission denied (this user may not use the "
                + "control socket, or not for this command)"), help.out());
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertEquals(2, vipctl("explode").exit());
    }
}
