package io.vipd.control;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a piece of a test with the file-system permissions of an unprivileged user, for tests that run as root:
 * setfsuid(2) changes only the calling thread's file-system uid (and drops its file capabilities), so a fresh
 * thread can meet a permission check the rest of the JVM does not. The test is skipped where this is not possible.
 */
public final class AsOtherUser {
    public static final int NOBODY = 65534;

    /** The one libc call needed; glibc makes it a plain system call, which affects the calling thread only. */
    public interface FsUid {
        int setfsuid(int uid);
    }

    private AsOtherUser() {}

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
        Object r = result.get();
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
