package io.vipd.control;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * Who is at the other end of a control connection: uid, gid and pid from SO_PEERCRED (through Netty), the user's
 * name from /etc/passwd, and the process's groups from SO_PEERGROUPS. Both socket options report the credentials
 * the client had when it connected, so a process that exits (and a pid reused) cannot lend its groups to another.
 * Where SO_PEERGROUPS is not available (Linux before 4.13), the groups come from /proc/PID/status, if the process is
 * still the same user's; where that cannot be read either (the unit's ProtectProc=invisible hides other users'
 * processes from vipd), the caller has its primary group only.
 */
final class PeerIdentity implements ControlHandler.CallerLookup {
    static final int SOL_SOCKET = 1;
    static final int SO_PEERGROUPS = 59;
    static final int ERANGE = 34;

    /** getsockopt(2), bound with JNR-FFI; the option comes back in a byte array. */
    public interface Sockets {
        @SaveError
        int getsockopt(int fd, int level, int optname, @Out byte[] optval, @In @Out int[] optlen);
    }

    private static final class Libc {
        static final Sockets INSTANCE = LibraryLoader.create(Sockets.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(INSTANCE);
    }

    private final UnixAccounts accounts;

    PeerIdentity(UnixAccounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public Caller of(Channel channel) throws IOException {
        if (!(channel instanceof EpollDomainSocketChannel socket)) {
            throw new IOException("not a Unix domain socket connection: " + channel.getClass().getSimpleName());
        }
        PeerCredentials cred = socket.peerCredentials();
        Set<Integer> gids = new TreeSet<>();
        for (int gid : cred.gids()) {
            gids.add(gid);
        }
        Optional<Set<Integer>> groups = peerGroups(socket.fd().intValue());
        if (groups.isPresent()) {
            gids.addAll(groups.get());
        } else {
            accounts.process(String.valueOf(cred.pid()))
                    .filter(p -> p.uid() == cred.uid()) // not a process that took over the pid of one that left
                    .ifPresent(p -> gids.addAll(p.gids()));
        }
        return new Caller(cred.pid(), cred.uid(), accounts.userName(cred.uid()), gids);
    }

    /** The peer's supplementary groups at connect time (SO_PEERGROUPS); empty if the kernel cannot tell. */
    static Optional<Set<Integer>> peerGroups(int fd) {
        try {
            byte[] buf = new byte[64 * 4];
            for (int attempt = 0; attempt < 2; attempt++) {
                int[] len = {buf.length};
                if (Libc.INSTANCE.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf, len) == 0) {
                    return Optional.of(decode(buf, len[0]));
                }
                if (Libc.RUNTIME.getLastError() != ERANGE || len[0] <= buf.length) {
                    return Optional.empty(); // ENOPROTOOPT before Linux 4.13
                }
                buf = new byte[len[0]]; // more groups than fit: the kernel said how many bytes they take
            }
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) { // no libc binding here: fall back to /proc
            return Optional.empty();
        }
    }

    /** {@code len} bytes of gid_t values, in the machine's byte order. */
    static Set<Integer> decode(byte[] buf, int len) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, Math.min(len, buf.length)).order(ByteOrder.nativeOrder());
        Set<Integer> out = new TreeSet<>();
        while (b.remaining() >= 4) {
            out.add(b.getInt());
        }
        return out;
    }
}
