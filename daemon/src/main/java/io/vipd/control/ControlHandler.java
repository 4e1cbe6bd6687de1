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

        /** Hands {@code vip} over to {@code node}; returns a one-line result. */
        default String move(String vip, String node) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** Re-reads the configuration file and applies it; returns a one-line summary. */
        default String reload() throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** Drains or undrains {@code node}; returns a one-line result. */
        default String drain(String node, boolean drained) throws Exception {
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
        String[] words = request.split("\\s+");
        Object response;
        try {
            response = switch (words[0] + "/" + words.length) {
                case "status/1" -> service.status();
                case "lead/1" -> Map.of("result", service.lead());
                case "move/3" -> Map.of("result", service.move(words[1], words[2]));
                case "drain/2" -> Map.of("result", service.drain(words[1], true));
                case "undrain/2" -> Map.of("result", service.drain(words[1], false));
                case "reload/1" -> Map.of("result", service.reload());
                default -> Map.of("error", "unknown request '" + request
                        + "' (known: status, lead, move VIP NODE, drain NODE, undrain NODE, reload)");
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            response = Map.of("error", e.getMessage()); // a refusal with its reason
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            response = Map.of("error", c instanceof IllegalArgumentException || c instanceof IllegalStateException
                    ? c.getMessage() : "daemon could not answer: " + c);
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
