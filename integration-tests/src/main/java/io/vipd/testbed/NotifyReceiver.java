package io.vipd.testbed;

import io.vipd.host.LibC;
import io.vipd.host.SystemdNotify;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays systemd's side of sd_notify: a datagram socket bound to a path (given to a daemon as NOTIFY_SOCKET) and
 * every message received on it, in order.
 */
public final class NotifyReceiver implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private final Path path;
    private final int fd;
    private final Thread reader;
    private final List<String> messages = new ArrayList<>();
    private volatile boolean closed;

    public NotifyReceiver(Path path) throws IOException {
        this.path = path;
        Files.deleteIfExists(path);
        fd = LibC.get().socket(AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX): errno " + LibC.errno());
        }
        byte[] addr = SystemdNotify.sockaddr(path.toString());
        if (LibC.get().bind(fd, addr, addr.length) != 0) {
            int errno = LibC.errno();
            LibC.get().close(fd);
            throw new IOException("bind(" + path + "): " + LibC.get().strerror(errno));
        }
        // the daemon runs as an unprivileged user: it must be able to send to the socket
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0).putLong(200_000);
        LibC.get().setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv.array(), 16); // bounds each receive
        reader = new Thread(this::read, "notify-receiver");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        byte[] buf = new byte[4096];
        while (!closed) {
            long n = LibC.get().recv(fd, buf, buf.length, 0);
            if (n > 0) {
                String m = new String(buf, 0, (int) n, StandardCharsets.UTF_8);
                synchronized (messages) {
                    messages.add(m);
                }
            }
        }
    }

    public Path path() {
        return path;
    }

    public List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** Whether some message has a line equal to {@code line} (messages may carry several lines). */
    public boolean received(String line) {
        return messages().stream().anyMatch(m -> m.lines().anyMatch(line::equals));
    }

    /** The value of the last {@code KEY=} line received, or null. */
    public String last(String key) {
        String found = null;
        for (String m : messages()) {
            for (String l : m.lines().toList()) {
                if (l.startsWith(key + "=")) {
                    found = l.substring(key.length() + 1);
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LibC.get().close(fd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the directory goes with the testbed
        }
    }
}
