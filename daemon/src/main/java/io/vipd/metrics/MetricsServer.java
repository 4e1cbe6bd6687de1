package io.vipd.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP listener of {@code metrics.listen}: one event-loop thread, {@code GET /metrics} only. */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    /** A request larger than this is not a scrape. */
    static final int MAX_REQUEST_BYTES = 8192;

    private final EventLoopGroup group;
    private final Channel channel;

    private MetricsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** @param host an IPv4 address or a bracketed IPv6 address, as {@code metrics.listen} takes it */
    public static MetricsServer start(String host, int port, VipdMetrics metrics) throws IOException {
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new ReadTimeoutHandler(60), new HttpServerCodec(),
                                    new HttpObjectAggregator(MAX_REQUEST_BYTES), new MetricsHandler(metrics));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getByName(literal), port)).sync().channel();
            LOG.info("serving Prometheus metrics on http://{}:{}/metrics", host, port);
            return new MetricsServer(group, ch);
        } catch (InterruptedException e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding metrics.listen " + host + ":" + port);
        } catch (RuntimeException | IOException e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen for metrics on " + host + ":" + port + " (metrics.listen): "
                    + e.getMessage(), e);
        }
    }

    /** The port bound (for a configured port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
