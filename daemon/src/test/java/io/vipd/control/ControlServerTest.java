package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's manners on a real Unix socket: half-closure, the cap, the request timeout, its path. */
class ControlServerTest {
    static final ControlHandler.Service STATUS = () -> ControlHandlerTest.REPORT;

    static SocketChannel open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    static void send(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Everything the server sends until it closes the connection; fails if it does not close in time. */
    static String readToEnd(SocketChannel ch, long timeoutMs) throws IOException {
        ch.configureBlocking(false);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    fail("the server did not close the connection within " + timeoutMs + " ms; sent so far: "
                            + got.toString(StandardCharsets.UTF_8));
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = ch.read(buf);
                if (n < 0) {
                    return got.toString(StandardCharsets.UTF_8);
                }
                got.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
    }

    @Test
    void aRequestWithoutNewlineThenShutdownOutputIsAnswered(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, STATUS);
             SocketChannel ch = open(sock)) {
            send(ch, "status");
            ch.shutdownOutput(); // as nc -N does
            String answer = readToEnd(ch, 5000);
            assertEquals(ControlHandlerTest.REPORT,
                    ControlHandler.JSON.readValue(answer, StatusReport.class), answer);
            assertTrue(answer.endsWith("}\n"));
        }
    }

    @Test
    void aRequestLineThenShutdownOutputIsAnsweredOnce(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, STATUS);
             SocketChannel ch = open(sock)) {
            send(ch, "status\n");
            ch.shutdownOutput();
            String answer = readToEnd(ch, 5000);
            assertEquals(1, answer.split("\n").length, answer);
            assertEquals(ControlHandlerTest.REPORT, ControlHandler.JSON.readValue(answer, StatusReport.class));
        }
    }

    @Test
    void shutdownOutputWithoutARequestIsClosedAtOnce(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, STATUS, 32, 60_000);
             SocketChannel ch = open(sock)) {
            ch.shutdownOutput();
            assertEquals("", readToEnd(ch, 5000), "closed long before the request timeout, with nothing to say");
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheRequestTimeout(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, STATUS, 32, 300);
             SocketChannel ch = open(sock)) {
            send(ch, "stat");
            long start = System.nanoTime();
            assertEquals("{\"error\":\"no request within 300 ms\"}\n", readToEnd(ch, 5000));
            assertTrue(System.nanoTime() - start >= 250_000_000L);
        }
    }

    @Test
    void aRequestSlowerThanTheTimeoutIsStillAnswered(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        ControlHandler.Service slow = new ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return ControlHandlerTest.REPORT;
            }

            @Override
            public String lead(Caller caller) throws InterruptedException {
                Thread.sleep(700); // as a move or drain waiting for the group
                return "n1 leads";
            }
        };
        try (ControlServer server = ControlServer.start(sock, slow, 32, 200)) {
            assertEquals("{\"result\":\"n1 leads\"}", ControlClient.request(sock, "lead", 5000));
        }
    }

    @Test
    void connectionsBeyondTheCapAreRefusedUntilOneCloses(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        List<SocketChannel> held = new ArrayList<>();
        try (ControlServer server = ControlServer.start(sock, STATUS, 3, 60_000)) {
            for (int i = 0; i < 3; i++) {
                held.add(open(sock));
            }
            try (SocketChannel refused = open(sock)) {
                assertEquals("error: too many control connections (max 3)\n", readToEnd(refused, 5000));
            }
            // with a request the server does not read, the close may come as a reset: after the line, as vipctl needs
            assertEquals("error: too many control connections (max 3)", ControlClient.request(sock, "status", 5000));
            held.remove(0).close();
            // the server counts the close on its event loop: the next connection is served soon after
            long deadline = System.nanoTime() + 5_000_000_000L;
            String answer;
            do {
                answer = ControlClient.request(sock, "status", 5000);
            } while (answer.startsWith("error:") && System.nanoTime() < deadline);
            assertEquals(ControlHandlerTest.REPORT, ControlHandler.JSON.readValue(answer, StatusReport.class));
        } finally {
            for (SocketChannel ch : held) {
                ch.close();
            }
        }
    }

    @Test
    void aStaleSocketIsReplaced(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        // a daemon that died leaves its socket behind; nothing listens on it any more
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(sock));
        dead.close();
        assertTrue(ControlSocketPath.isSocket(sock));
        try (ControlServer server = ControlServer.start(sock, STATUS)) {
            assertTrue(ControlClient.request(sock, "status", 5000).startsWith("{\"node\":\"n1\""));
        }
        assertFalse(Files.exists(sock), "removed on close");
    }

    @Test
    void aRegularFileIsNeverDeleted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vipd.sock");
        Files.writeString(file, "precious");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(file, STATUS));
        assertEquals("control socket path " + file + " exists and is not a socket; vipd never deletes it: remove "
                + "it or set control.socket to another path", e.getMessage());
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void aDirectoryIsNeverDeleted(@TempDir Path dir) throws Exception {
        Path sub = dir.resolve("vipd.sock");
        Files.createDirectory(sub);
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(sub, STATUS));
        assertTrue(e.getMessage().contains("exists and is not a socket; vipd never deletes it"), e.getMessage());
        assertTrue(Files.isDirectory(sub));
    }

    @Test
    void aSymbolicLinkIsNeverDeletedEvenToAStaleSocket(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("real.sock");
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(target));
        dead.close();
        Path link = Files.createSymbolicLink(dir.resolve("vipd.sock"), target);
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(link, STATUS));
        assertTrue(e.getMessage().contains("exists and is not a socket; vipd never deletes it"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(ControlSocketPath.isSocket(target));

        Path dangling = Files.createSymbolicLink(dir.resolve("other.sock"), dir.resolve("nothing"));
        assertThrows(IOException.class, () -> ControlServer.start(dangling, STATUS));
        assertTrue(Files.isSymbolicLink(dangling));
    }

    @Test
    void closeLeavesAFileThatReplacedTheSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        ControlServer server = ControlServer.start(sock, STATUS);
        Files.delete(sock);
        Files.writeString(sock, "someone else's");
        server.close();
        assertEquals("someone else's", Files.readString(sock));
    }

    @Test
    void aPathTooLongForASocketIsRefusedClearly(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("d".repeat(120)).resolve("vipd.sock");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(sock, STATUS));
        int bytes = sock.toString().getBytes(StandardCharsets.UTF_8).length;
        assertEquals("control socket path " + sock + " is " + bytes + " bytes long; a Unix socket path can have "
                + "at most 107: set control.socket to a shorter path", e.getMessage());
        assertFalse(Files.exists(sock.getParent()), "nothing created");
    }
}
