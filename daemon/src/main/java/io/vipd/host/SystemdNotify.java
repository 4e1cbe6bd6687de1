package io.vipd.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The sd_notify protocol, spoken natively: datagrams such as {@code READY=1} or {@code STATUS=...} sent to the
 * AF_UNIX socket systemd names in {@code NOTIFY_SOCKET} (a path, or an abstract name written with a leading '@').
 * Without that variable (not started by systemd with Type=notify) there is nothing to notify.
 */
public final class SystemdNotify implements AutoCloseable {
    static final int AF_UNIX = 1;
    /** sizeof(sun_path) on Linux. */
    static final int SUN_PATH_MAX = 108;

    private final byte[] address;
    private final String name;
    private int fd = -1;

    private SystemdNotify(String socketName) {
        this.address = sockaddr(socketName);
        this.name = socketName;
    }

    /** The notifier for {@code NOTIFY_SOCKET}, or empty when the variable is unset or empty. */
    public static Optional<SystemdNotify> fromEnvironment() {
        return forSocket(System.getenv("NOTIFY_SOCKET"));
    }

    static Optional<SystemdNotify> forSocket(String socketName) {
        if (socketName == null || socketName.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SystemdNotify(socketName));
    }

    /**
     * {@code struct sockaddr_un} for a socket name: a filesystem path, or '@name' for the abstract namespace (the
     * '@' becomes a NUL byte and the address length covers exactly the name, as systemd expects).
     */
    public static byte[] sockaddr(String socketName) {
        boolean isAbstract = socketName.startsWith("@");
        byte[] path = socketName.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is longer than " + (SUN_PATH_MAX - 1) + " bytes");
        }
        if (!isAbstract && !socketName.startsWith("/")) {
            throw new IllegalArgumentException("NOTIFY_SOCKET must be an absolute path or start with '@': "
                    + socketName);
        }
        // Paths carry a terminating NUL; abstract names must not (their length is part of the name).
        ByteBuffer b = ByteBuffer.allocate(2 + path.length + (isAbstract ? 0 : 1)).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        b.put(path);
        byte[] out = b.array();
        if (isAbstract) {
            out[2] = 0;
        }
        return out;
    }

    /** Sends one notification (several can be joined with newlines). Never throws: systemd is advisory here. */
    public synchronized boolean send(String state) {
        try {
            if (fd < 0) {
                fd = NativeSockets.open(AF_UNIX, LibC.SOCK_DGRAM, 0, "AF_UNIX notify");
            }
            byte[] msg = state.getBytes(StandardCharsets.UTF_8);
            if (LibC.get().sendto(fd, msg, msg.length, 0, address, address.length) < 0) {
                throw NativeSockets.error("sendto(" + name + ")", LibC.errno());
            }
            return true;
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(SystemdNotify.class).warn("cannot notify systemd: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.get().close(fd);
            fd = -1;
        }
    }
}
