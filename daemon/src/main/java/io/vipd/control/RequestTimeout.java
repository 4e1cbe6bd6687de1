package io.vipd.control;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not sent a complete request line within the timeout, with an error line: a client
 * that connects and stalls would otherwise hold its connection (and a slot under {@link ConnectionCap}) forever.
 * Sits behind the line decoder, so only a complete line counts as a read and trickling bytes does not reset the
 * timer. Removes itself once the request is in: answering a move or a drain can take longer than the timeout.
 */
final class RequestTimeout extends IdleStateHandler {
    private final long timeoutMs;

    RequestTimeout(long timeoutMs) {
        super(timeoutMs, 0, 0, TimeUnit.MILLISECONDS);
        this.timeoutMs = timeoutMs;
    }

    /** The error a timed-out connection gets: a JSON line like every other answer. */
    String timeoutAnswer() {
        return "{\"error\":\"no request within " + describe(timeoutMs) + "\"}";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object request) {
        ctx.fireChannelRead(request);
        ctx.pipeline().remove(this); // stops the timer
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        ctx.writeAndFlush(timeoutAnswer() + "\n").addListener(ChannelFutureListener.CLOSE);
    }

    private static String describe(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
