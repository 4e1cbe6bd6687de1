package io.vipd.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Ends an unterminated last line when the client shuts down its output ({@code nc -N}, {@code printf status | socat}),
 * so that request is still answered: Netty's line decoder, which this handler precedes, drops a last line that has
 * no newline. Needs half-closure allowed on the channel; without it, the input's end closes the connection.
 */
final class FinalLineTerminator extends ChannelInboundHandlerAdapter {
    private boolean unterminated;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            unterminated = bytes.getByte(bytes.writerIndex() - 1) != '\n';
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && unterminated) {
            unterminated = false;
            ctx.fireChannelRead(Unpooled.wrappedBuffer(new byte[] {'\n'}));
            ctx.fireChannelReadComplete();
        }
        ctx.fireUserEventTriggered(evt);
    }
}
