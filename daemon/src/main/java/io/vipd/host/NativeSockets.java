package io.vipd.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Helpers shared by the netlink and packet sockets: errors with errno text and the receive timeout. */
final class NativeSockets {
    private NativeSockets() {}

    static IOException error(String what, int errno) {
        return new NativeIOException(what + ": " + LibC.get().strerror(errno) + " (errno " + errno + ")", errno);
    }

    static int open(int domain, int type, int protocol, String what) throws IOException {
        int fd = LibC.get().socket(domain, type | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw error("socket(" + what + ")", LibC.errno());
        }
        return fd;
    }

    /** Bounds every blocking receive so no caller can hang on a socket forever. */
    static void setReceiveTimeout(int fd, long millis) throws IOException {
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        tv.putLong(millis / 1000).putLong((millis % 1000) * 1000);
        if (LibC.get().setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv.array(), 16) != 0) {
            throw error("setsockopt(SO_RCVTIMEO)", LibC.errno());
        }
    }

    /** An I/O error from a system call, with its errno kept for callers that treat some values as benign. */
    static final class NativeIOException extends IOException {
        final int errno;

        NativeIOException(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }
}
