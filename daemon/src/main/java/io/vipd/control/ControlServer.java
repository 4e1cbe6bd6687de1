package io.vipd.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The daemon's control socket: a Unix domain socket, readable and writable by its owner only. */
public final class ControlServer implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = 4096;

    private final Path path;
    private final EventLoopGroup group;
    private final io.netty.util.concurrent.EventExecutorGroup requests;
    private final Channel channel;

    private ControlServer(Path path, EventLoopGroup group, io.netty.util.concurrent.EventExecutorGroup requests,
                          Channel channel) {
        this.path = path;
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
        if (ControlClient.answers(path)) {
            throw new IOException("another vipd is already running here: its control socket " + path + " answers");
        }
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path); // left by a daemon that died without cleaning up
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        io.netty.util.concurrent.EventExecutorGroup requests = new io.netty.util.concurrent.DefaultEventExecutorGroup(4);
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            configure(c.pipeline(), service, requests);
                        }
                    })
                    .bind(new DomainSocketAddress(path.toFile()))
                    .sync()
                    .channel();
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return new ControlServer(path, group, requests, ch);
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            requests.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + path);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully();
            requests.shutdownGracefully();
            throw new IOException("cannot serve control socket " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        requests.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the runtime directory is cleaned by systemd anyway
        }
    }
}
