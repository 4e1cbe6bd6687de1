package io.vipd.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vipd.config.CheckSpec;
import io.vipd.config.ExecCheck;
import io.vipd.config.HttpCheck;
import io.vipd.config.TcpCheck;
import io.vipd.config.VipSpec;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Probes against real local sockets and processes, and the rise/fall logic; no root needed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthMonitorTest {
    private EventLoopGroup group;
    private HttpServer http;
    private int httpPort;

    @BeforeAll
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/ok", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        http.createContext("/down", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        http.createContext("/huge", ex -> { // 64 MB of body: the probe must not read (or buffer) it
            ex.sendResponseHeaders(200, 64L << 20);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[1 << 16];
                for (int i = 0; i < 1024; i++) {
                    out.write(chunk);
                }
            } catch (java.io.IOException closedByProbe) {
                // expected: the probe hangs up after the status line
            }
        });
        http.createContext("/hang", ex -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        http.start();
        httpPort = http.getAddress().getPort();
    }

    @AfterAll
    void stop() {
        http.stop(0);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static CheckSpec tcp(String host, int port) {
        return new TcpCheck("t", host, port, 100, 500, 2, 2);
    }

    CheckSpec httpCheck(String path, long timeoutMs) {
        return new HttpCheck("h", URI.create("http://127.0.0.1:" + httpPort + path), 200, 399, 1000, timeoutMs, 2,
                2);
    }

    static CheckSpec exec(long timeoutMs, String... command) {
        return new ExecCheck("e", List.of(command), false, 1000, timeoutMs, 2, 2);
    }

    String probe(CheckSpec spec) throws Exception {
        return Probes.run(spec, group).get(10, TimeUnit.SECONDS);
    }

    @Test
    void tcpConnectsOrSaysWhyNot() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            assertNull(probe(tcp("127.0.0.1", s.getLocalPort())));
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertEquals("connection refused", probe(tcp("127.0.0.1", closed)));
    }

    @Test
    void ipv6TargetsAreWrittenInBracketsAndReached() throws Exception {
        InetAddress loopback6 = InetAddress.getByName("::1");
        try (ServerSocket s = new ServerSocket(0, 5, loopback6)) {
            assertNull(probe(tcp("[::1]", s.getLocalPort())));
        }
        HttpServer six = HttpServer.create(new InetSocketAddress(loopback6, 0), 0);
        six.createContext("/ok", ex -> {
            String host = ex.getRequestHeaders().getFirst("Host");
            ex.sendResponseHeaders(host.startsWith("[::1]:") ? 200 : 400, -1); // the Host header keeps its brackets
            ex.close();
        });
        six.start();
        try {
            assertNull(probe(new HttpCheck("h6", URI.create("http://[::1]:" + six.getAddress().getPort() + "/ok"), 200,
                    399, 1000, 1000, 2, 2)));
        } finally {
            six.stop(0);
        }
    }

    @Test
    void httpChecksTheStatusWithoutReadingTheBody() throws Exception {
        assertNull(probe(httpCheck("/ok", 1000)));
        assertEquals("status 503 (expected 200-399)", probe(httpCheck("/down", 1000)));
        long t0 = System.nanoTime();
        assertNull(probe(httpCheck("/huge", 2000)));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a huge body is not read");
        assertEquals("status 404 (expected 200-399)", probe(httpCheck("/missing", 1000)));
        assertEquals("no response within 300 ms", probe(httpCheck("/hang", 300)));
    }

    @Test
    void execUsesTheExitStatusAndSurvivesHostileCommands() throws Exception {
        assertNull(probe(exec(1000, "/bin/true")));
        assertEquals("exit status 1", probe(exec(1000, "/bin/false")));
        String missing = probe(exec(1000, "/nonexistent/check-that-is-not-there"));
        assertTrue(missing.startsWith("cannot run /nonexistent/check-that-is-not-there"), missing);
        // Prints ~50 MB: output is discarded, so nothing blocks on a full pipe and nothing is buffered.
        assertNull(probe(exec(10_000, "/bin/sh", "-c", "head -c 50000000 /dev/zero")));
        // Never ends, and has a child of its own: both are killed at the timeout.
        long t0 = System.nanoTime();
        assertEquals("timed out after 300 ms (killed)", probe(exec(300, "/bin/sh", "-c", "sleep 1000 & sleep 1000")));
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
        Thread.sleep(200);
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().commandLine().orElse("")
                .contains("sleep 1000")), "the check's processes were killed");
    }

    @Test
    void riseAndFallCountResultsInARow() {
        HealthMonitor.CheckState c = new HealthMonitor.CheckState(
                new TcpCheck("t", "h", 1, 100, 100, 3, 2));
        assertTrue(c.record(null), "the first result counts at once");
        assertTrue(c.passing);
        assertFalse(c.record("refused"));
        assertFalse(c.record(null), "a success resets the failure streak");
        assertFalse(c.record("refused"));
        assertTrue(c.record("refused"), "fall = 2 failures in a row");
        assertFalse(c.passing);
        assertEquals("t (tcp h:1): refused (2 in a row)", c.describeFailure());
        assertFalse(c.record(null));
        assertFalse(c.record(null));
        assertTrue(c.record(null), "rise = 3 successes in a row");
        assertTrue(c.passing);
    }

    @Test
    void monitorReportsPerVipAndOnlyChanges() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    server.accept().close();
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        CheckSpec svc = new TcpCheck("svc", "127.0.0.1", port, 100, 100, 2, 2);
        VipSpec web = new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24, "eth0",
                List.of(), List.of("svc"), false, 0, VipSpec.UnhealthyPolicy.KEEP);
        VipSpec plain = new VipSpec("db", (Inet4Address) InetAddress.getByName("198.18.0.101"), 24, "eth0",
                List.of());
        List<Map<String, String>> reports = new CopyOnWriteArrayList<>();
        try (HealthMonitor m = new HealthMonitor(Map.of("svc", svc), List.of(web, plain), reports::add)) {
            m.start();
            waitFor(() -> !reports.isEmpty());
            assertEquals(Map.of("web", ""), reports.get(0), "only VIPs with checks are reported");
            Thread.sleep(500);
            assertEquals(1, reports.size(), "no report while nothing changes: " + reports);
            server.close();
            waitFor(() -> reports.size() >= 2);
            String failure = reports.get(1).get("web");
            assertTrue(failure.startsWith("svc (tcp 127.0.0.1:" + port + "): connection refused (2 in a row)"),
                    failure);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 10 s");
            Thread.sleep(10);
        }
    }
}
