package io.vipd.control;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the control connections open at once, so a client that opens many and holds them cannot exhaust the
 * daemon's file descriptors: a connection beyond the cap gets one error line and is closed. Shared by all of a
 * server's connections; first in each pipeline, so a refused connection reaches no other handler.
 */
@Sharable
final class ConnectionCap extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCap.class);
    /** A flood of refusals is one warning, then at most one a minute (with the count since the last one). */
    static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int max;
    private final LongSupplier nanoClock;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusedSinceWarning = new AtomicInteger();
    private final AtomicLong lastWarning;

    ConnectionCap(int max) {
        this(max, System::nanoTime);
    }

    ConnectionCap(int max, LongSupplier nanoClock) {
        this.max = max;
        this.nanoClock = nanoClock;
        this.lastWarning = new AtomicLong(nanoClock.getAsLong() - WARNING_INTERVAL_NANOS);
    }

    /** The text a refused connection gets, newline excluded. */
    String refusal() {
        return "error: too many control connections (max " + max + ")";
    }

    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int now = open.incrementAndGet();
        ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
        if (now <= max) {
            ctx.fireChannelActive();
            ctx.pipeline().remove(this); // counted; the listener counts its close
            return;
        }
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(Unpooled.copiedBuffer(refusal() + "\n", StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
        warn();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // only a refused connection still has this handler: its input is not served
    }

    private void warn() {
        refusedSinceWarning.incrementAndGet();
        long now = nanoClock.getAsLong();
        long last = lastWarning.get();
        if (now - last >= WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("control socket: refused {} connection(s) beyond the {} open at most (a client holding "
                    + "connections open?); this warning repeats at most once a minute",
                    refusedSinceWarning.getAndSet(0), max);
        }
    }
}
