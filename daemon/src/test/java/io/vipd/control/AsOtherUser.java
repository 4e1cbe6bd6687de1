package io.vipd.control;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a piece of a test with the file-system permissions of an unprivileged user, for tests that run as root:
 * setfsuid(2) changes only the calling thread's file-system uid (and drops its file capabilities), so a fresh
 * thread can meet a permission check the rest of the JVM does not. The test is skipped where this is not possible.
 * {@link #callAs} goes further, for tests of who the kernel says is connecting (SO_PEERCRED, SO_PEERGROUPS): it
 * changes the thread's effective uid, gid and supplementary groups with raw system calls, which (unlike glibc's
 * wrappers, which change every thread of the process) affect the calling thread only.
 */
public final class AsOtherUser {
    public static final int NOBODY = 65534;

    /** The one libc call needed; glibc makes it a plain system call, which affects the calling thread only. */
    public interface FsUid {
        int setfsuid(int uid);
    }

    /** The raw system call; glibc's wrappers of setresuid and the like would change every thread. */
    public interface Syscall {
        long syscall(long number, long a, long b, long c);
    }

    /** A thread's credentials: effective uid and gid, and its supplementary groups. */
    public record Ids(int uid, int gid, int... groups) {}

    private record Numbers(long setresuid, long setresgid, long setgroups, long getgroups) {}

    private static Numbers syscallNumbers() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> new Numbers(117, 119, 116, 115);
            case "aarch64" -> new Numbers(147, 149, 159, 158);
            default -> null;
        };
    }

    private AsOtherUser() {}

    /**
     * Runs {@code body} on a thread whose effective uid, gid and groups are {@code ids} (its real and saved ids stay
     * root's, so it can change back), as a process of that user would connect and be seen. Needs root.
     */
    public static <T> T callAs(Ids ids, Callable<T> body) throws Exception {
        Numbers nr = syscallNumbers();
        if (nr == null) {
            Assumptions.abort("no system call numbers for " + System.getProperty("os.arch"));
        }
        preloadProjectClasses();
        Syscall libc = LibraryLoader.create(Syscall.class).load("c");
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(libc);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            jnr.ffi.Pointer saved = jnr.ffi.Memory.allocateDirect(runtime, 4 * 65536);
            long savedCount = libc.syscall(nr.getgroups(), 65536, saved.address(), 0);
            int savedGid = (int) new com.sun.security.auth.module.UnixSystem().getGid();
            jnr.ffi.Pointer groups = jnr.ffi.Memory.allocateDirect(runtime, 4 * Math.max(1, ids.groups().length));
            for (int i = 0; i < ids.groups().length; i++) {
                groups.putInt(4L * i, ids.groups()[i]);
            }
            // groups and gid first, while the thread may still change them
            if (savedCount < 0 || libc.syscall(nr.setgroups(), ids.groups().length, groups.address(), 0) != 0
                    || libc.syscall(nr.setresgid(), -1, ids.gid(), -1) != 0
                    || libc.syscall(nr.setresuid(), -1, ids.uid(), -1) != 0) {
                result.set(new SkipReason("cannot change this thread's credentials (not root?)"));
                return;
            }
            try {
                result.set(new Done(body.call()));
            } catch (Throwable e) {
                result.set(e);
            } finally {
                libc.syscall(nr.setresuid(), -1, 0, -1);
                libc.syscall(nr.setresgid(), -1, savedGid, -1);
                libc.syscall(nr.setgroups(), savedCount, saved.address(), 0);
            }
        }, "as-uid-" + ids.uid());
        t.start();
        t.join();
        return unwrap(result.get());
    }

    public static <T> T call(Callable<T> body) throws Exception {
        preloadProjectClasses();
        FsUid libc = LibraryLoader.create(FsUid.class).load("c");
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            libc.setfsuid(NOBODY);
            if (libc.setfsuid(-1) != NOBODY) { // -1 is no uid: the call only reports the current one
                result.set(new SkipReason("cannot change this thread's file-system uid (not root?)"));
                return;
            }
            try {
                result.set(new Done(body.call()));
            } catch (Throwable e) {
                result.set(e);
            } finally {
                libc.setfsuid(0);
            }
        }, "as-nobody");
        t.start();
        t.join();
        return unwrap(result.get());
    }

    private static <T> T unwrap(Object r) throws Exception {
        if (r instanceof SkipReason skip) {
            Assumptions.abort(skip.why());
        }
        if (r instanceof Exception e) {
            throw e;
        }
        if (r instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T value = (T) ((Done) r).value();
        return value;
    }

    private static boolean preloaded;

    /**
     * Loads every class of this project's class directories (main and test) while the thread is still root. The
     * JVM reads a class from a directory when it is first used, with the permissions of the thread using it: a
     * checkout that an unprivileged user may not read (a clone in a mode-0700 temporary directory) would make the
     * body fail with NoClassDefFoundError instead of meeting the permission check under test. Classes in jars need
     * nothing: the JVM keeps a jar open once it has read from it.
     */
    private static synchronized void preloadProjectClasses() throws java.io.IOException {
        if (preloaded) {
            return;
        }
        for (Class<?> anchor : new Class<?>[] {AsOtherUser.class, ControlClient.class}) {
            java.security.CodeSource source = anchor.getProtectionDomain().getCodeSource();
            if (source == null) {
                continue;
            }
            java.nio.file.Path root;
            try {
                root = java.nio.file.Path.of(source.getLocation().toURI());
            } catch (java.net.URISyntaxException e) {
                continue;
            }
            if (!java.nio.file.Files.isDirectory(root)) {
                continue;
            }
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
                for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = root.relativize(f).toString().replace('/', '.');
                    try {
                        Class.forName(name.substring(0, name.length() - ".class".length()), false,
                                anchor.getClassLoader());
                    } catch (ClassNotFoundException | LinkageError ignored) {
                        // a class that cannot be loaded now would not be loaded as the other user either
                    }
                }
            }
        }
        preloaded = true;
    }

    private record SkipReason(String why) {}

    private record Done(Object value) {}
}
