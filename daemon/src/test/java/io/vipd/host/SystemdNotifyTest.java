package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifyTest {
    private static byte[] family() {
        return ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) 1).array();
    }

    @Test
    void pathAddressIsNulTerminated() {
        byte[] a = SystemdNotify.sockaddr("/run/systemd/notify");
        assertArrayEquals(family(), Arrays.copyOf(a, 2));
        assertEquals("/run/systemd/notify", new String(a, 2, a.length - 3, StandardCharsets.UTF_8));
        assertEquals(0, a[a.length - 1]);
        assertEquals(2 + "/run/systemd/notify".length() + 1, a.length);
    }

    @Test
    void abstractAddressStartsWithNulAndHasNoTerminator() {
        byte[] a = SystemdNotify.sockaddr("@vipd/notify");
        assertEquals(0, a[2]);
        assertEquals(2 + "@vipd/notify".length(), a.length);
        assertEquals("vipd/notify", new String(a, 3, a.length - 3, StandardCharsets.UTF_8));
    }

    @Test
    void rejectsRelativeAndOverlongNames() {
        assertThrows(IllegalArgumentException.class, () -> SystemdNotify.sockaddr("run/notify"));
        assertThrows(IllegalArgumentException.class, () -> SystemdNotify.sockaddr("/" + "x".repeat(107)));
    }

    @Test
    void noSocketNoNotifier() {
        assertTrue(SystemdNotify.forSocket(null).isEmpty());
        assertTrue(SystemdNotify.forSocket("").isEmpty());
    }

    /** What systemd does: a datagram socket bound to the path; the notifier's message arrives whole. */
    @Test
    void sendsDatagramToBoundSocket(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("notify");
        int fd = NativeSockets.open(SystemdNotify.AF_UNIX, LibC.SOCK_DGRAM, 0, "test receiver");
        try {
            byte[] addr = SystemdNotify.sockaddr(path.toString());
            assertEquals(0, LibC.get().bind(fd, addr, addr.length), "bind: errno " + LibC.errno());
            NativeSockets.setReceiveTimeout(fd, 2000);
            try (SystemdNotify notify = SystemdNotify.forSocket(path.toString()).orElseThrow()) {
                assertTrue(notify.send("READY=1\nSTATUS=member of vipd"));
                byte[] buf = new byte[512];
                long n = LibC.get().recv(fd, buf, buf.length, 0);
                assertEquals("READY=1\nSTATUS=member of vipd", new String(buf, 0, (int) n, StandardCharsets.UTF_8));
            }
        } finally {
            LibC.get().close(fd);
        }
        Files.deleteIfExists(path);
    }

    @Test
    void sendToMissingSocketReportsFailureWithoutThrowing(@TempDir Path dir) {
        try (SystemdNotify notify = SystemdNotify.forSocket(dir.resolve("absent").toString()).orElseThrow()) {
            assertFalse(notify.send("READY=1"));
        }
    }
}
