package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlClientTest {
    static final Path SOCKET = Path.of("/run/vipd/vipd.sock");
    static final String DENIED = "permission denied on /run/vipd/vipd.sock (run as root or as the vipd user; for "
            + "status, as a member of the group control.group names, vipd by default)";

    @Test
    void permissionDeniedIsNotNotRunning() {
        // looking the path up in a directory the user may not search; connecting to a socket the user may not write
        for (IOException e : new IOException[] {new AccessDeniedException(SOCKET.toString()),
                new BindException("Permission denied")}) {
            IOException c = ControlClient.unreachable(SOCKET, e);
            assertInstanceOf(ControlClient.PermissionDeniedException.class, c);
            assertEquals(DENIED, c.getMessage());
        }
    }

    @Test
    void noSocketOrNothingListeningIsNotRunning() {
        for (IOException e : new IOException[] {new NoSuchFileException(SOCKET.toString()),
                new SocketException("No such file or directory")}) {
            IOException c = ControlClient.unreachable(SOCKET, e);
            assertInstanceOf(ControlClient.NotRunningException.class, c);
            assertEquals("vipd is not running (no control socket at /run/vipd/vipd.sock)", c.getMessage());
        }
        IOException refused = ControlClient.unreachable(SOCKET, new ConnectException("Connection refused"));
        assertInstanceOf(ControlClient.NotRunningException.class, refused);
        assertEquals("vipd is not running (control socket /run/vipd/vipd.sock refuses: Connection refused)",
                refused.getMessage());
    }

    @Test
    void aUserWhoMayNotConnectIsToldSo(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = ControlServer.start(sock, ControlServerTest.STATUS)) {
            // the directory is searchable, the owner-only socket is not writable by others: connect fails, EACCES
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            IOException e = AsOtherUser.call(() -> assertThrows(IOException.class,
                    () -> ControlClient.request(sock, "status", 5000)));
            assertInstanceOf(ControlClient.PermissionDeniedException.class, e, e.toString());
            // the directory is owner-only too (as /run/vipd is for the vipd group): looking the socket up fails
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            e = AsOtherUser.call(() -> assertThrows(IOException.class,
                    () -> ControlClient.request(sock, "status", 5000)));
            assertInstanceOf(ControlClient.PermissionDeniedException.class, e, e.toString());
            assertEquals(DENIED.replace("/run/vipd/vipd.sock", sock.toString()), e.getMessage());
        }
    }

    @Test
    void aUserWhoMayConnectButFindsNoSocketIsToldItIsNotRunning(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sock = dir.resolve("vipd.sock");
        IOException e = AsOtherUser.call(() -> assertThrows(IOException.class,
                () -> ControlClient.request(sock, "status", 5000)));
        assertInstanceOf(ControlClient.NotRunningException.class, e, e.toString());
    }
}
