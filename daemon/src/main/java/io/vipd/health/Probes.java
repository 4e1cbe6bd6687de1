package io.vipd.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.vipd.config.CheckSpec;
import io.vipd.config.ExecCheck;
import io.vipd.config.HttpCheck;
import io.vipd.config.TcpCheck;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The three kinds of probe, each returning a future that completes with null (healthy) or the reason it failed,
 * always within the check's timeout. None of them can block the caller: tcp and http are Netty channels on the
 * monitor's event loop, exec is a child process watched through {@link Process#onExit()}.
 */
final class Probes {
    private Probes() {}

    static CompletableFuture<String> run(CheckSpec spec, EventLoopGroup group) {
        // CheckSpec is sealed: these are all its kinds (a switch with patterns says so itself from Java 21 on).
        if (spec instanceof TcpCheck tcp) {
            return tcp(tcp, group);
        } else if (spec instanceof HttpCheck http) {
            return http(http, group);
        } else if (spec instanceof ExecCheck exec) {
            return exec(exec);
        }
        throw new IllegalArgumentException("no probe for " + spec);
    }

    private static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        if (c instanceof ConnectException) {
            String m = String.valueOf(c.getMessage());
            return m.contains("refused") ? "connection refused" : m;
        }
        if (c instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out";
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /** A host as written in a URL or host:port, without the brackets an IPv6 literal has there. */
    static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Connects; healthy once the connection is established (then closed at once). */
    static CompletableFuture<String> tcp(TcpCheck spec, EventLoopGroup group) {
        CompletableFuture<String> result = new CompletableFuture<>();
        ChannelFuture f = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) spec.timeoutMs())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // nothing is read: connecting is the check
                    }
                })
                .connect(unbracketed(spec.host()), spec.port());
        f.addListener(done -> {
            if (done.isSuccess()) {
                f.channel().close();
                result.complete(null);
            } else {
                result.complete(describe(done.cause()));
            }
        });
        return result;
    }

    /**
     * GET the URL; healthy if the status is in range. Only the status line and headers are read, then the
     * connection is closed, so a body of any size costs nothing.
     */
    static CompletableFuture<String> http(HttpCheck spec, EventLoopGroup group) {
        CompletableFuture<String> result = new CompletableFuture<>();
        java.net.URI url = spec.url();
        int port = url.getPort() > 0 ? url.getPort() : 80;
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        ChannelFuture f = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) spec.timeoutMs())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(4096, 16 * 1024, 8192));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg.decoderResult().isFailure()) {
                                    result.complete("bad response: " + describe(msg.decoderResult().cause()));
                                    ctx.close();
                                } else if (msg instanceof HttpResponse r) {
                                    int code = r.status().code();
                                    result.complete(code >= spec.statusMin() && code <= spec.statusMax() ? null
                                            : "status " + code + " (expected " + spec.statusMin()
                                                    + (spec.statusMax() == spec.statusMin() ? "" : "-" + spec.statusMax())
                                                    + ")");
                                    ctx.close();
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.complete("connection closed before a response");
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.complete(describe(cause));
                                ctx.close();
                            }
                        });
                    }
                })
                .connect(unbracketed(url.getHost()), port);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                result.complete(describe(done.cause()));
                return;
            }
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers().set(HttpHeaderNames.HOST, url.getHost() + (url.getPort() > 0 ? ":" + port : ""));
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            req.headers().set(HttpHeaderNames.USER_AGENT, "vipd-health-check");
            f.channel().writeAndFlush(req);
        });
        // The whole exchange, connect included, is bounded by the timeout.
        group.next().schedule(() -> {
            if (result.complete("no response within " + spec.timeoutMs() + " ms")) {
                f.channel().close();
            }
        }, spec.timeoutMs(), TimeUnit.MILLISECONDS);
        return result;
    }

    /**
     * Runs the command (no shell unless configured, no PATH lookup, stdin empty, output discarded so a chatty
     * check cannot fill a pipe or the daemon's memory); healthy on exit status 0. On timeout the process and all
     * its descendants are killed.
     */
    static CompletableFuture<String> exec(ExecCheck spec) {
        ProcessBuilder pb = new ProcessBuilder(spec.command())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        ChildProcesses.scrub(pb.environment());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return CompletableFuture.completedFuture("cannot run " + spec.command().get(0) + ": "
                    + e.getMessage().replaceFirst("^Cannot run program \"[^\"]*\": ", ""));
        }
        return p.onExit().orTimeout(spec.timeoutMs(), TimeUnit.MILLISECONDS).handle((done, error) -> {
            if (error != null) {
                ChildProcesses.killTree(p);
                return "timed out after " + spec.timeoutMs() + " ms (killed)";
            }
            int code = done.exitValue();
            return code == 0 ? null : "exit status " + code;
        });
    }

}
