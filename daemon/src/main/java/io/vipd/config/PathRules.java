package io.vipd.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where vipd may put its control socket ({@code control.socket}) and its Raft data ({@code data.dir}).
 *
 * <p>vipd runs as root: a path that points into the system (a socket named {@code /etc}, data in {@code /} or
 * {@code /proc/self}) must be refused before the daemon creates or writes anything there. Each rule returns the
 * problem in words, or nothing; the caller names file, line and key. Paths are looked at (lstat, realpath) but never
 * read, so no message can carry another file's content.
 */
public final class PathRules {
    /** sun_path in struct sockaddr_un is 108 bytes, and the kernel wants room for the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    /** Directories of the operating system itself: neither a control socket's directory nor a data directory. */
    private static final Set<Path> SYSTEM_DIRECTORIES = paths("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64",
            "/proc", "/sbin", "/sys", "/usr");
    /** Also refused as data.dir itself: shared top-level trees where vipd's files would mix with everyone's. */
    private static final Set<Path> SHARED_DIRECTORIES = paths("/run", "/tmp", "/var");
    /** Kernel file systems: nothing can be stored there, and writing to some files there changes the kernel. */
    private static final Set<Path> KERNEL_FILE_SYSTEMS = paths("/proc", "/sys");

    private static final long S_IFMT = 0170000;
    private static final long S_IFSOCK = 0140000;
    private static final long S_IFIFO = 0010000;
    private static final long S_IFCHR = 0020000;
    private static final long S_IFBLK = 0060000;

    private PathRules() {
    }

    private static Set<Path> paths(String... names) {
        return Stream.of(names).map(Path::of).collect(Collectors.toUnmodifiableSet());
    }

    /** An absolute path without {@code .} or {@code ..} (whose meaning depends on symbolic links on the way). */
    public static Optional<String> plainAbsolutePath(Path p) {
        if (!p.isAbsolute()) {
            return Optional.of("'" + p + "' must be an absolute path");
        }
        for (Path part : p) {
            if (part.toString().equals(".") || part.toString().equals("..")) {
                return Optional.of("'" + p + "' must not contain '.' or '..' (write the path it means)");
            }
        }
        return Optional.empty();
    }

    public static Optional<String> controlSocketProblem(Path socket) {
        Optional<String> plain = plainAbsolutePath(socket);
        if (plain.isPresent()) {
            return plain;
        }
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            return Optional.of("the path is " + bytes + " bytes long; a Unix socket path holds at most "
                    + MAX_SOCKET_PATH_BYTES + " bytes (UTF-8)");
        }
        Optional<String> type = nonSocketType(socket);
        if (type.isPresent()) {
            return Optional.of(socket + " exists and is not a socket (it is " + type.get() + "); vipd never deletes "
                    + "it — remove it or choose another path");
        }
        Path parent = socket.getParent();
        if (parent == null) {
            return Optional.of("'/' is not a socket path (default: " + ConfigLoader.DEFAULT_CONTROL_SOCKET + ")");
        }
        Optional<String> place = socketDirectoryProblem(socket, parent, "");
        if (place.isPresent()) {
            return place;
        }
        Optional<Path> realParent = realPath(parent);
        if (realParent.isPresent() && !realParent.get().equals(parent)) {
            return socketDirectoryProblem(socket, realParent.get(), " (where " + parent + " leads)");
        }
        return Optional.empty();
    }

    private static Optional<String> socketDirectoryProblem(Path socket, Path directory, String via) {
        if (underKernelFileSystem(directory)) {
            return Optional.of(socket + " is in " + topLevel(directory) + via + ", a kernel file system; use a "
                    + "directory of vipd's own, such as " + ConfigLoader.DEFAULT_CONTROL_SOCKET.getParent());
        }
        if (SYSTEM_DIRECTORIES.contains(directory)) {
            return Optional.of(socket + " would be a socket directly in " + directory + via + ", a system directory; "
                    + "use a directory of vipd's own, such as " + ConfigLoader.DEFAULT_CONTROL_SOCKET.getParent());
        }
        return Optional.empty();
    }

    public static Optional<String> dataDirProblem(Path dir) {
        Optional<String> plain = plainAbsolutePath(dir);
        if (plain.isPresent()) {
            return plain;
        }
        Optional<String> place = dataDirPlaceProblem(dir, "");
        if (place.isPresent()) {
            return place;
        }
        Optional<Path> real = realPath(dir);
        if (real.isPresent() && !real.get().equals(dir)) {
            place = dataDirPlaceProblem(real.get(), " (where " + dir + " leads)");
            if (place.isPresent()) {
                return place;
            }
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of(dir + " exists and is not a directory");
        }
        return Optional.empty();
    }

    private static Optional<String> dataDirPlaceProblem(Path dir, String via) {
        String instead = "; use a directory of vipd's own, such as /var/lib/vipd";
        if (underKernelFileSystem(dir)) {
            return Optional.of(dir + via + " is in " + topLevel(dir) + ", a kernel file system where nothing can be "
                    + "stored" + instead);
        }
        if (dir.startsWith("/dev")) {
            return Optional.of(dir + via + " is in /dev, where devices live (and what /dev/shm holds is lost at "
                    + "reboot)" + instead);
        }
        if (SYSTEM_DIRECTORIES.contains(dir) || SHARED_DIRECTORIES.contains(dir)) {
            return Optional.of(dir + via + " is a system directory, not a place for vipd's Raft log" + instead);
        }
        return Optional.empty();
    }

    /** {@code /proc} for {@code /proc/self/x}. */
    private static Path topLevel(Path p) {
        return p.getNameCount() == 0 ? p : p.getRoot().resolve(p.getName(0));
    }

    private static boolean underKernelFileSystem(Path p) {
        return KERNEL_FILE_SYSTEMS.stream().anyMatch(p::startsWith);
    }

    /** Where {@code p} really is after symbolic links, when it exists and may be looked at. */
    private static Optional<Path> realPath(Path p) {
        try {
            return Optional.of(p.toRealPath());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * What {@code p} is when it exists and is not a socket ("a regular file", "a directory", ...); empty when it is a
     * socket, does not exist, or cannot be looked at (a parent without search permission: the daemon, as root, will
     * find out at start).
     */
    static Optional<String> nonSocketType(Path p) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | SecurityException e) {
            // NoSuchFileException: nothing there, the daemon creates the socket; AccessDeniedException: a directory on
            // the way is closed to this user (--check-config run as a user), the daemon runs as root and will see.
            return Optional.empty();
        }
        if (attributes.isSymbolicLink()) {
            return Optional.of("a symbolic link");
        }
        if (attributes.isDirectory()) {
            return Optional.of("a directory");
        }
        if (attributes.isRegularFile()) {
            return Optional.of("a regular file");
        }
        long type;
        try {
            type = ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).longValue() & S_IFMT;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
        if (type == S_IFSOCK) {
            return Optional.empty();
        }
        if (type == S_IFIFO) {
            return Optional.of("a FIFO");
        }
        if (type == S_IFCHR || type == S_IFBLK) {
            return Optional.of("a device");
        }
        return Optional.of("a special file");
    }
}
