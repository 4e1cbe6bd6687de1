package io.vipd.host;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The few libc socket calls vipd needs, bound with JNR-FFI. Addresses and buffers are passed as byte arrays. */
public interface LibC {
    int AF_NETLINK = 16;
    int AF_PACKET = 17;
    int SOCK_RAW = 3;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int EINTR = 4;
    int EAGAIN = 11;
    int EEXIST = 17;
    int ENODEV = 19;
    int EADDRNOTAVAIL = 99;

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In byte[] addr, int addrlen);

    @SaveError
    @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

    @SaveError
    @ssize_t long recv(int fd, @Out byte[] buf, @size_t long len, int flags);

    @SaveError
    int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);

    int close(int fd);

    @SaveError
    int ioctl(int fd, long request, @Out byte[] arg);

    String strerror(int errnum);

    /** Ends the process at once, without the JVM's exit sequence (see {@link #exitNow}). */
    void _exit(int status);

    /**
     * Ends the process now with {@code status}. For a daemon that has already released and closed everything of
     * its own: HotSpot's exit waits up to 300 ms for threads blocked in native code (event loops of libraries still
     * closing), which a stop should not spend.
     */
    static void exitNow(int status) {
        get()._exit(status);
    }

    /** Loaded once; loading libc cannot fail on the Linux hosts vipd supports. */
    final class Holder {
        static final LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

        private Holder() {}
    }

    static LibC get() {
        return Holder.INSTANCE;
    }

    static int errno() {
        return Holder.RUNTIME.getLastError();
    }
}
