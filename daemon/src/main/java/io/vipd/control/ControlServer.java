package io.vipd.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The daemon's control socket: a Unix domain socket, readable and writable by its owner only. What may be at the path
 * is {@link ControlSocketPath}'s concern.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = 4096;

    private final Path path;
    /** Identifies the socket this server bound, so that close() deletes it and nothing that replaced it. */
    private final Object fileKey;
    private final EventLoopGroup group;
    private final io.netty.util.concurrent.EventExecutorGroup requests;
    private final Channel channel;

    private ControlServer(Path path, Object fileKey, EventLoopGroup group,
                          io.netty.util.concurrent.EventExecutorGroup requests, Channel channel) {
        this.path = path;
        this.fileKey = fileKey;
        this.group = group;
        this.requests = requests;
        this.channel = channel;
    }

    /** Pipeline shared by the server and its tests. */
    public static void configure(io.netty.channel.ChannelPipeline p, ControlHandler.Service service) {
        configure(p, service, null);
    }

    /**
     * @param requests where requests are answered; the server uses its own threads because a move or a drain
     *                 waits for the group, and must not hold up the socket's event loop (or a status request)
     */
    static void configure(io.netty.channel.ChannelPipeline p, ControlHandler.Service service,
                          io.netty.util.concurrent.EventExecutorGroup requests) {
        p.addLast(new LineBasedFrameDecoder(MAX_REQUEST_BYTES, true, true));
        p.addLast(new StringDecoder(StandardCharsets.UTF_8));
        p.addLast(new StringEncoder(StandardCharsets.UTF_8));
        p.addLast(requests, "control", new ControlHandler(service));
    }

    public static ControlServer start(Path path, ControlHandler.Service service) throws IOException {
        ControlSocketPath.prepareForBind(path);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        io.netty.util.concurrent.EventExecutorGroup requests = new io.netty.util.concurrent.DefaultEventExecutorGroup(4);
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
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            configure(c.pipeline(), service, requests);
                        }
                    })
                    .register()
                    .sync()
                    .channel();
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
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

    private static void shutDown(EventLoopGroup group, io.netty.util.concurrent.EventExecutorGroup requests, Path path,
                                 Object socket) {
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
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        requests.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        try {
            ControlSocketPath.deleteIfSame(path, fileKey);
        } catch (IOException ignored) {
            // the runtime directory is cleaned by systemd anyway
        }
    }
}
