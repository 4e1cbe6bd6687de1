package io.vipd.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Map;

/**
 * Answers one request line on the control socket with one JSON line, then closes. Requests: {@code status}.
 * Sits behind a line decoder so a client cannot make the daemon buffer unbounded input.
 */
public final class ControlHandler extends SimpleChannelInboundHandler<String> {
    /** What the daemon exposes to the control socket. */
    public interface Service {
        StatusReport status() throws Exception;

        /** Makes this node the Raft leader; returns a one-line result. */
        default String lead() throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final Service service;

    public ControlHandler(Service service) {
        this.service = service;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) throws Exception {
        String request = line.trim();
        Object response;
        try {
            response = switch (request) {
                case "status" -> service.status();
                case "lead" -> Map.of("result", service.lead());
                default -> Map.of("error", "unknown request '" + request + "' (known: status, lead)");
            };
        } catch (Exception e) {
            response = Map.of("error", "daemon could not answer: " + e);
        }
        ctx.writeAndFlush(JSON.writeValueAsString(response) + "\n").addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A malformed or oversized request: answer with an error line rather than keep the connection.
        ctx.writeAndFlush("{\"error\":\"bad request: " + cause.getClass().getSimpleName() + "\"}\n")
                .addListener(ChannelFutureListener.CLOSE);
    }
}
