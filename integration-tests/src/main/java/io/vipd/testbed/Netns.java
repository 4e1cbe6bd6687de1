package io.vipd.testbed;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * Runs code inside a network namespace from this JVM: a fresh thread enters the namespace with setns(2), which
 * affects that thread only; sockets it creates stay in that namespace for good, whichever thread uses them later.
 */
public final class Netns {
    /** libc calls for entering a namespace. */
    public interface Lib {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int setns(int fd, int nstype);

        int close(int fd);
    }

    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Lib LIB = LibraryLoader.create(Lib.class).load("c");

    private Netns() {}

    private static void enter(String name) throws IOException {
        int fd = LIB.open("/run/netns/" + name, O_RDONLY_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open /run/netns/" + name + ": errno " + Runtime.getRuntime(LIB).getLastError());
        }
        try {
            if (LIB.setns(fd, CLONE_NEWNET) != 0) {
                throw new IOException("setns(" + name + ") failed: errno " + Runtime.getRuntime(LIB).getLastError());
            }
        } finally {
            LIB.close(fd);
        }
    }

    /** Calls {@code body} on a new thread inside namespace {@code name} and waits for its result. */
    public static <T> T call(String name, Callable<T> body) throws IOException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                enter(name);
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "netns-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in " + name);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Starts {@code body} on a daemon thread that lives inside namespace {@code name}. */
    public static Thread start(String name, String threadName, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                enter(name);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            body.run();
        }, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
