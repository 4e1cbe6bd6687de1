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

    private record SkipReason(String why) {}

    private record Done(Object value) {}
}
