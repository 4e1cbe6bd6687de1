package io.vipd.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.io.ByteArrayOutputStream;

/** Sends one request line to a daemon's control socket and returns its one-line answer. */
public final class ControlClient {
    /** No daemon is listening at the socket path. */
    public static final class NotRunningException extends IOException {
        NotRunningException(String message) {
            super(message);
        }
    }

    /**
     * The caller may not reach the socket (it, or its directory, is the daemon's user's and group's only): the daemon
     * may run.
     */
    public static final class PermissionDeniedException extends IOException {
        PermissionDeniedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ControlClient() {}

    /** A connection to the daemon on {@code socket} with {@code request} sent; what failed said as to the user. */
    private static SocketChannel send(Path socket, String request) throws IOException {
        try {
            Files.readAttributes(socket, BasicFileAttributes.class);
        } catch (IOException e) {
            throw unreachable(socket, e);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw unreachable(socket, e);
            }
            ch.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    public static String request(Path socket, String request, long timeoutMs) throws IOException {
        try (SocketChannel ch = send(socket, request)) {
            ch.configureBlocking(false);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            try (Selector selector = Selector.open()) {
                ch.register(selector, SelectionKey.OP_READ);
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        throw new IOException("vipd did not answer within " + timeoutMs + " ms on " + socket);
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                    int n = ch.read(buf);
                    if (n > 0) {
                        answer.write(buf.array(), 0, buf.position());
                        buf.clear();
                        byte[] sofar = answer.toByteArray();
                        if (sofar.length > 0 && sofar[sofar.length - 1] == '\n') {
                            return new String(sofar, StandardCharsets.UTF_8).trim();
                        }
                    } else if (n < 0) {
                        return new String(answer.toByteArray(), StandardCharsets.UTF_8).trim();
                    }
                }
            }
        }
    }

    /**
     * Sends {@code request} and hands each answer line to {@code lines} until the daemon closes the connection
     * ({@code vipctl watch}); blocks meanwhile. {@code lines} returns false to stop.
     */
    public static void stream(Path socket, String request, java.util.function.Predicate<String> lines)
            throws IOException {
        try (SocketChannel ch = send(socket, request)) {
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    java.nio.channels.Channels.newInputStream(ch), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!lines.test(line)) {
                    return;
                }
            }
        }
    }

    /**
     * What failing to look up or connect to {@code socket} means to the user. The JDK reports EACCES as an
     * AccessDeniedException when looking the path up and as a BindException when connecting, ENOENT as a
     * NoSuchFileException or a plain SocketException: their messages are the reliable part.
     */
    static IOException unreachable(Path socket, IOException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof AccessDeniedException || message.contains("Permission denied")) {
            return new PermissionDeniedException("permission denied on " + socket + " (run as root or as the vipd "
                    + "user; for status, as a member of the group control.group names, vipd by default)", e);
        }
        if (e instanceof NoSuchFileException || message.contains("No such file or directory")) {
            return new NotRunningException("vipd is not running (no control socket at " + socket + ")");
        }
        return new NotRunningException("vipd is not running (control socket " + socket + " refuses: " + message + ")");
    }

    /** True if a daemon answers on {@code socket}. */
    public static boolean answers(Path socket) {
        try {
            request(socket, "status", 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
