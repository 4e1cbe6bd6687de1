package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The manners of one control connection (cap, request timeout, half-closure, one request), on EmbeddedChannel. */
class ControlConnectionTest {
    static final long TIMEOUT_MS = 10_000;

    private static EmbeddedChannel connect(ConnectionCap cap) {
        return new EmbeddedChannel(ControlHandlerTest.asRoot(() -> ControlHandlerTest.REPORT, cap, TIMEOUT_MS));
    }

    private static EmbeddedChannel connect() {
        return connect(new ConnectionCap(ControlChannelInitializer.MAX_CONNECTIONS));
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.UTF_8));
    }

    /** Everything the server wrote, concatenated. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    private static void shutdownInput(EmbeddedChannel ch) {
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }

    @Test
    void connectionsBeyondTheCapGetOneLineAndAreClosed() {
        ConnectionCap cap = new ConnectionCap(2);
        EmbeddedChannel a = connect(cap);
        EmbeddedChannel b = connect(cap);
        EmbeddedChannel refused = connect(cap);
        assertEquals("error: too many control connections (max 2)\n", written(refused));
        assertFalse(refused.isOpen());
        assertTrue(a.isOpen() && b.isOpen());
        assertEquals(2, cap.open(), "a refused connection no longer counts once closed");

        a.close();
        assertEquals(1, cap.open());
        EmbeddedChannel c = connect(cap);
        assertTrue(c.isOpen());
        send(c, "status\n");
        assertTrue(written(c).startsWith("{\"node\":\"n1\""));
        assertEquals(1, cap.open(), "an answered connection is closed, and no longer counts");
        b.close();
        assertEquals(0, cap.open());
    }

    @Test
    void refusalsWarnOncePerBurstThenAtMostOnceAMinute() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ConnectionCap cap = new ConnectionCap(1, now::get);
        Logger logger = (Logger) LoggerFactory.getLogger(ConnectionCap.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            EmbeddedChannel held = connect(cap);
            for (int i = 0; i < 5; i++) {
                connect(cap);
            }
            assertEquals(1, log.list.size(), "one warning for the burst");
            assertEquals("WARN", log.list.get(0).getLevel().toString());
            assertEquals("control socket: refused 1 connection(s) beyond the 1 open at most (a client holding "
                    + "connections open?); this warning repeats at most once a minute",
                    log.list.get(0).getFormattedMessage());
            now.addAndGet(TimeUnit.SECONDS.toNanos(61));
            connect(cap);
            assertEquals(2, log.list.size());
            assertTrue(log.list.get(1).getFormattedMessage().startsWith("control socket: refused 5 connection(s)"),
                    log.list.get(1).getFormattedMessage());
            held.close();
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aConnectionWithoutACompleteRequestIsClosedAfterTheTimeout() {
        EmbeddedChannel ch = connect();
        ch.freezeTime();
        send(ch, "sta");
        ch.advanceTimeBy(TIMEOUT_MS - 1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        send(ch, "t"); // trickling bytes does not reset the timer: only a complete line counts
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertEquals("{\"error\":\"no request within 10 s\"}\n", written(ch));
        assertFalse(ch.isOpen());
    }

    @Test
    void anIdleConnectionIsClosedAfterTheTimeout() {
        EmbeddedChannel ch = connect();
        ch.freezeTime();
        ch.advanceTimeBy(TIMEOUT_MS + 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertEquals("{\"error\":\"no request within 10 s\"}\n", written(ch));
        assertFalse(ch.isOpen());
    }

    @Test
    void aFinalLineWithoutNewlineIsAnsweredWhenTheClientShutsDownItsOutput() {
        EmbeddedChannel ch = connect();
        send(ch, "stat");
        send(ch, "us");
        assertTrue(ch.isOpen());
        assertNull(ch.readOutbound(), "no answer before the line ends");
        shutdownInput(ch);
        String answer = written(ch);
        assertTrue(answer.startsWith("{\"node\":\"n1\"") && answer.endsWith("}\n"), answer);
        assertFalse(ch.isOpen());
    }

    @Test
    void aTerminatedLineThenShutdownIsAnsweredOnce() {
        EmbeddedChannel ch = connect();
        send(ch, "status\r\n");
        shutdownInput(ch);
        String answer = written(ch);
        assertEquals(1, answer.split("\n").length, answer);
        assertTrue(answer.startsWith("{\"node\":\"n1\""), answer);
    }

    @Test
    void shutdownWithoutARequestCloses() {
        EmbeddedChannel ch = connect();
        shutdownInput(ch);
        assertFalse(ch.isOpen());
        assertEquals("", written(ch));
    }

    @Test
    void onlyTheFirstRequestOfAConnectionIsAnswered() {
        List<String> asked = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(ControlHandlerTest.asRoot(new ControlHandler.Service() {
            @Override
            public StatusReport status() {
                asked.add("status");
                return ControlHandlerTest.REPORT;
            }

            @Override
            public String lead(Caller caller) {
                asked.add("lead");
                return "n1 leads";
            }
        }, new ConnectionCap(2), TIMEOUT_MS));
        send(ch, "lead\nstatus\nstatus\n");
        assertEquals("{\"result\":\"n1 leads\"}\n", written(ch));
        assertEquals(List.of("lead"), asked);
        assertFalse(ch.isOpen());
    }
}
