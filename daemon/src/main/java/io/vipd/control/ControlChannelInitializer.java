package io.vipd.control;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;

/** The pipeline of each control connection; shared by the server's connections and by the tests. */
final class ControlChannelInitializer extends ChannelInitializer<Channel> {
    static final int MAX_REQUEST_BYTES = 4096;
    /** Control connections open at once; vipctl needs one, for well under a second. */
    static final int MAX_CONNECTIONS = 32;
    /** How long a client has, once connected, to send its request line. */
    static final long REQUEST_TIMEOUT_MS = 10_000;

    private final ControlHandler.Service service;
    private final ControlAccess access;
    private final ControlHandler.CallerLookup callers;
    private final RefusalLog refusals = new RefusalLog();
    private final java.util.concurrent.atomic.AtomicInteger watchers = new java.util.concurrent.atomic.AtomicInteger();
    private final EventExecutorGroup requests;
    private final ConnectionCap cap;
    private final long requestTimeoutMs;

    /**
     * @param access   who may do what
     * @param callers  tells who is at the other end of a connection (the server: SO_PEERCRED)
     * @param requests where requests are answered (null: on the connection's event loop); the server uses its own
     *                 threads because a move or a drain waits for the group, and must not hold up the socket's event
     *                 loop (or a status request)
     * @param cap      shared by every connection of one server
     */
    ControlChannelInitializer(ControlHandler.Service service, ControlAccess access, ControlHandler.CallerLookup callers,
                              EventExecutorGroup requests, ConnectionCap cap, long requestTimeoutMs) {
        this.service = service;
        this.access = access;
        this.callers = callers;
        this.requests = requests;
        this.cap = cap;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("cap", cap); // first: a refused connection reaches no other handler
        p.addLast("final-line", new FinalLineTerminator()); // before the decoder, which drops an unterminated line
        // A client cannot make the daemon buffer unbounded input: an over-long line is an error.
        p.addLast("lines", new LineBasedFrameDecoder(MAX_REQUEST_BYTES, true, true));
        p.addLast("decoder", new StringDecoder(StandardCharsets.UTF_8));
        p.addLast("encoder", new StringEncoder(StandardCharsets.UTF_8));
        p.addLast("request-timeout", new RequestTimeout(requestTimeoutMs)); // after the decoder: complete lines count
        p.addLast("one-request", new OneRequestPerConnection());
        p.addLast(requests, "control", new ControlHandler(service, access, callers, refusals, watchers));
    }
}
