package io.vipd.control;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The control protocol is one request line, one answer line (a stream of lines for {@code watch}), then the server
 * closes. Passes the first request line
 * on and drops any further ones (each would otherwise be answered, and a client could queue thousands of requests
 * on one connection); closes a connection whose client ended its input without a request, as there is nothing to
 * answer.
 */
final class OneRequestPerConnection extends ChannelInboundHandlerAdapter {
    private boolean requested;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object line) {
        if (requested) {
            ReferenceCountUtil.release(line);
            return;
        }
        requested = true;
        ctx.fireChannelRead(line);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !requested) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }
}
