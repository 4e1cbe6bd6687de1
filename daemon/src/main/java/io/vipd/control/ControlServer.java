package io.vipd.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: a Unix domain socket of mode 0660 whose group is the reader group (control.group),
 * or 0600 when there is none. Each request is then checked against the caller's credentials ({@link ControlAccess}):
 * the file's mode only keeps out those who may do nothing. What each connection goes through is
 * {@link ControlChannelInitializer}'s; what may be at the path, {@link ControlSocketPath}'s.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private final Path path;
    /** Identifies the socket this server bound, so that close() deletes it and nothing that replaced it. */
    private final Object fileKey;
    private final EventLoopGroup group;
    private final EventExecutorGroup requests;
    private final Channel channel;

    private ControlServer(Path path, Object fileKey, EventLoopGroup group, EventExecutorGroup requests,
                          Channel channel) {
        this.path = path;
        this.fileKey = fileKey;
        this.group = group;
        this.requests = requests;
        this.channel = channel;
    }

    /** A socket only root and this process's user may use (mode 0600, no reader group). */
    public static ControlServer start(Path path, ControlHandler.Service service) throws IOException {
        return start(path, service, ControlAccess.forThisProcess(null, UnixAccounts.system()));
    }

    public static ControlServer start(Path path, ControlHandler.Service service, ControlAccess access)
            throws IOException {
        return start(path, service, access, new PeerIdentity(UnixAccounts.system()),
                ControlChannelInitializer.MAX_CONNECTIONS, ControlChannelInitializer.REQUEST_TIMEOUT_MS);
    }

    static ControlServer start(Path path, ControlHandler.Service service, int maxConnections, long requestTimeoutMs)
            throws IOException {
        return start(path, service, ControlAccess.forThisProcess(null, UnixAccounts.system()),
                new PeerIdentity(UnixAccounts.system()), maxConnections, requestTimeoutMs);
    }

    static ControlServer start(Path path, ControlHandler.Service service, ControlAccess access,
                               ControlHandler.CallerLookup callers, int maxConnections, long requestTimeoutMs)
            throws IOException {
        ControlSocketPath.prepareForBind(path);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventExecutorGroup requests = new DefaultEventExecutorGroup(4);
        Object ours = null;
        try {
            // Bound here rather than by ServerBootstrap.bind: a channel Netty binds deletes whatever is at the path
            // when it closes, which by then may be another's file; this one leaves that to close().
            Socket socket = Socket.newSocketDomain();
            try {
                socket.bind(new DomainSocketAddress(path.toFile()));
                ours = ControlSocketPath.fileKey(path);
                socket.listen(NetUtil.SOMAXCONN);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channelFactory(() -> new EpollServerDomainSocketChannel(socket.intValue(), true))
                    // A client may shut down its output once its request is sent (nc -N) and still read the answer.
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ControlChannelInitializer(service, access, callers, requests,
                            new ConnectionCap(maxConnections), requestTimeoutMs))
                    .register()
                    .sync()
                    .channel();
            setOwnership(path, access);
            return new ControlServer(path, ours, group, requests, ch);
        } catch (InterruptedException e) {
            shutDown(group, requests, path, ours);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + path);
        } catch (IOException | RuntimeException e) {
            shutDown(group, requests, path, ours);
            throw new IOException("cannot serve control socket " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Mode 0660 and the reader group when it exists, so that its members can connect (and be checked); else 0600.
     * The group is set first: the socket is never open to a group it was not meant for.
     */
    static void setOwnership(Path path, ControlAccess access) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        if (access.group().isEmpty()) {
            LOG.info("control socket {}: {}", path, access.summary());
            return;
        }
        String name = access.group().get();
        if (access.groupGid().isEmpty()) {
            LOG.warn("control socket {}: group '{}' (control.group) does not exist, so only root and vipd's own user "
                    + "may use vipctl; create it (groupadd --system {}) and restart vipd to let its members read "
                    + "status", path, name, name);
            return;
        }
        try {
            GroupPrincipal group = path.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(name);
            Files.setAttribute(path, "posix:group", group, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            // EPERM: vipd's user is not a member of the group (only root may give a file to any group)
            LOG.warn("control socket {}: cannot give it to group '{}' (control.group): {}; it stays owner-only, so "
                    + "members of '{}' cannot reach it", path, name, e.toString(), name);
            return;
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        LOG.info("control socket {}: {}", path, access.summary());
    }

    private static void shutDown(EventLoopGroup group, EventExecutorGroup requests, Path path, Object socket) {
        group.shutdownGracefully();
        requests.shutdownGracefully();
        if (socket != null) {
            try {
                ControlSocketPath.deleteIfSame(path, socket);
            } catch (IOException ignored) {
                // a stale socket: the next start replaces it
            }
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        // The quiet period lets a connection closing now finish: its pipeline is torn down by its event loop and the
        // request executor in turn, and a loop gone too soon makes Netty log a rejected task.
        group.shutdownGracefully(100, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        requests.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        try {
            ControlSocketPath.deleteIfSame(path, fileKey);
        } catch (IOException ignored) {
            // the runtime directory is cleaned by systemd anyway
        }
    }
}
