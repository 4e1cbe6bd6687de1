package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket on a real Unix socket: what may be at its path. */
class ControlServerTest {
    static final ControlHandler.Service STATUS = () -> ControlHandlerTest.REPORT;

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
