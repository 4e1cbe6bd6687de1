package io.vipd.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Makes the control socket's path ready to bind without ever deleting what is not a socket: control.socket may be
 * mistyped to name a file or directory someone cares about, and a stale socket is the only thing vipd removes.
 */
final class ControlSocketPath {
    /** sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private ControlSocketPath() {}

    /**
     * Checks the path's length, creates its directory and removes a stale socket a daemon that died left behind.
     *
     * @throws IOException if the path is too long, a daemon answers on it, or it exists and is not a socket
     */
    static void prepareForBind(Path path) throws IOException {
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IOException("control socket path " + path + " is " + bytes + " bytes long; a Unix socket path "
                    + "can have at most " + MAX_PATH_BYTES + ": set control.socket to a shorter path");
        }
        if (exists(path) && !isSocket(path)) {
            throw new IOException("control socket path " + path + " exists and is not a socket; vipd never deletes "
                    + "it: remove it or set control.socket to another path");
        }
        if (ControlClient.answers(path)) {
            throw new IOException("another vipd is already running here: its control socket " + path + " answers");
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        deleteIfSocket(path); // left by a daemon that died without cleaning up: nothing answers on it
    }

    /** Deletes {@code path} if it is a socket (not a symbolic link to one); anything else is left alone. */
    static void deleteIfSocket(Path path) throws IOException {
        if (exists(path) && isSocket(path)) {
            Files.deleteIfExists(path);
        }
    }

    /** The identity (device and inode) of the file at {@code path}, a symbolic link not followed. */
    static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Deletes {@code path} if it is still the socket identified by {@code fileKey}, not something put in its place. */
    static void deleteIfSame(Path path, Object fileKey) throws IOException {
        if (exists(path) && isSocket(path) && fileKey(path).equals(fileKey)) {
            Files.deleteIfExists(path);
        }
    }

    private static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** True if {@code path} itself (a symbolic link is not followed) is a socket, not another kind of file. */
    static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
