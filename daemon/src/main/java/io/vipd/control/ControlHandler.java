package io.vipd.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Answers one request line on the control socket with one JSON line, then closes; except {@code watch}, which keeps
 * the connection and streams events (see {@link #watch}). Requests: {@code status}, {@code history}, {@code watch},
 * {@code doctor [VIP...]},
 * {@code lead}, {@code move VIP NODE}, {@code drain NODE}, {@code undrain NODE}, {@code reload}, {@code member ...}; each only if
 * {@link ControlAccess} lets the caller (a refusal is an error line starting "permission denied:").
 * Sits behind a line decoder so a client cannot make the daemon buffer unbounded input.
 */
public final class ControlHandler extends SimpleChannelInboundHandler<String> {
    /**
     * What the daemon exposes to the control socket. Requests that change something get the {@link Caller} who
     * asked, for the daemon's log; the handler has already checked that the caller may.
     */
    public interface Service {
        StatusReport status() throws Exception;

        /** Makes this node the Raft leader; returns a one-line result. */
        default String lead(Caller caller) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** Hands {@code vip} over to {@code node}; returns a one-line result. */
        default String move(Caller caller, String vip, String node) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** Re-reads the configuration file and applies it; returns a one-line summary. */
        default String reload(Caller caller) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** {@code vipctl doctor}: what is wrong around these VIPs (all when empty), with fixes. */
        default DoctorReport doctor(java.util.List<String> vips) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /**
         * Changes the group's membership: {@code add ID ADDRESS ROLE}, {@code remove ID} or
         * {@code replace OLD NEW ADDRESS}; returns a one-line result.
         */
        default String member(Caller caller, java.util.List<String> change) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /**
         * Hands {@code lines} every event from now on (one JSON object each), until the returned handle is closed:
         * {@code vipctl watch}. {@code lines} must not block.
         */
        default AutoCloseable watch(java.util.function.Consumer<String> lines) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** The cluster's ownership changes, oldest first. */
        default HistoryReport history() throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }

        /** Drains or undrains {@code node}; returns a one-line result. */
        default String drain(Caller caller, String node, boolean drained) throws Exception {
            throw new UnsupportedOperationException("not supported by this daemon");
        }
    }

    /** Tells who is at the other end of a connection. */
    @FunctionalInterface
    public interface CallerLookup {
        Caller of(Channel channel) throws IOException;
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final Service service;
    private final ControlAccess access;
    private final CallerLookup callers;
    private final RefusalLog refusals;
    /** The watches open on this control socket ({@link #MAX_WATCHERS}), shared by its connections. */
    private final java.util.concurrent.atomic.AtomicInteger watchers;
    /** This connection is a watch: it stays open. */
    private boolean watching;

    ControlHandler(Service service, ControlAccess access, CallerLookup callers, RefusalLog refusals,
                   java.util.concurrent.atomic.AtomicInteger watchers) {
        this.service = service;
        this.access = access;
        this.callers = callers;
        this.refusals = refusals;
        this.watchers = watchers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) throws Exception {
        String request = line.trim();
        String[] words = request.split("\\s+");
        // Who asks is checked before what is asked: a refused caller reaches nothing of the service.
        Caller caller;
        try {
            caller = callers.of(ctx.channel());
        } catch (IOException | RuntimeException e) {
            refusals.unidentified(e);
            answer(ctx, Map.of("error", "permission denied: cannot tell who is calling (" + e.getMessage() + ")"));
            return;
        }
        Optional<String> refused = access.refusal(caller, words[0]);
        if (refused.isPresent()) {
            refusals.refused(caller, words[0]);
            answer(ctx, Map.of("error", refused.get()));
            return;
        }
        if (request.equals("watch")) {
            watch(ctx);
            return;
        }
        Object response;
        try {
            response = words[0].equals("doctor") && words.length <= 65
                    ? service.doctor(java.util.List.of(words).subList(1, words.length))
                    : switch (words[0] + "/" + words.length) {
                case "status/1" -> service.status();
                case "history/1" -> service.history();
                case "lead/1" -> Map.of("result", service.lead(caller));
                case "move/3" -> Map.of("result", service.move(caller, words[1], words[2]));
                case "drain/2" -> Map.of("result", service.drain(caller, words[1], true));
                case "undrain/2" -> Map.of("result", service.drain(caller, words[1], false));
                case "reload/1" -> Map.of("result", service.reload(caller));
                case "member/3", "member/5" -> Map.of("result", service.member(caller,
                        java.util.List.of(words).subList(1, words.length)));
                default -> Map.of("error", "unknown request '" + request
                        + "' (known: status, history, watch, doctor [VIP...], lead, move VIP NODE, drain NODE, undrain NODE, "
                        + "reload, member add ID ADDRESS ROLE, member remove ID, member replace OLD NEW ADDRESS)");
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
        answer(ctx, response);
    }

    /** Watches open at once per control socket: they hold connections, which other requests need too. */
    static final int MAX_WATCHERS = 8;

    /**
     * {@code watch}: a first line saying so, then each event as a line, for as long as the client keeps the
     * connection. A client that does not read (its socket buffer and Netty's outbound buffer full) is dropped at
     * once: the daemon never buffers for it without bound, nor waits for it. A client that ends its input (its
     * process ended) is dropped too: a quiet cluster would otherwise keep its connection until the next event.
     */
    private void watch(ChannelHandlerContext ctx) throws IOException {
        io.netty.channel.Channel ch = ctx.channel();
        if (watchers.incrementAndGet() > MAX_WATCHERS) {
            watchers.decrementAndGet();
            answer(ctx, Map.of("error", "too many watches open (max " + MAX_WATCHERS + ")"));
            return;
        }
        watching = true;
        ctx.writeAndFlush(JSON.writeValueAsString(Map.of("watching", "events as this node applies or sees them"))
                + "\n");
        java.util.concurrent.atomic.AtomicBoolean dropped = new java.util.concurrent.atomic.AtomicBoolean();
        AutoCloseable subscription;
        try {
            subscription = service.watch(line -> {
                if (dropped.get() || !ch.isActive()) {
                    return;
                }
                if (!ch.isWritable()) {
                    dropped.set(true);
                    ch.writeAndFlush("{\"error\":\"watch: this client reads too slowly; events were dropped\"}\n");
                    ch.close(); // not after that write: a client that does not read would never let it finish
                    return;
                }
                ch.writeAndFlush(line + "\n");
            });
        } catch (Exception e) {
            watchers.decrementAndGet();
            answer(ctx, Map.of("error", "daemon could not answer: " + e));
            return;
        }
        ch.closeFuture().addListener(f -> {
            watchers.decrementAndGet();
            subscription.close();
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (watching && evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            ctx.close(); // the watching client went away
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static void answer(ChannelHandlerContext ctx, Object response) throws IOException {
        ctx.writeAndFlush(JSON.writeValueAsString(response) + "\n").addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A malformed or oversized request: answer with an error line rather than keep the connection.
        ctx.writeAndFlush("{\"error\":\"bad request: " + cause.getClass().getSimpleName() + "\"}\n")
                .addListener(ChannelFutureListener.CLOSE);
    }
}
