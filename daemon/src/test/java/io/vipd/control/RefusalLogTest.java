package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RefusalLogTest {
    @Test
    void eachRefusalNamesWhoAskedForWhatUpToTenAMinute() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        RefusalLog refusals = new RefusalLog(now::get);
        Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            for (int i = 0; i < 15; i++) {
                refusals.refused(ControlAccessTest.STRANGER, "move");
            }
            assertEquals(10, log.list.size());
            assertEquals("control socket: refused 'move' from bob (uid 1001, pid 4343)",
                    log.list.get(0).getFormattedMessage());
            assertEquals("WARN", log.list.get(0).getLevel().toString());
            now.addAndGet(TimeUnit.SECONDS.toNanos(61));
            refusals.refused(ControlAccessTest.MEMBER, "drain");
            assertEquals("control socket: refused 'drain' from alice (uid 1000, pid 4242) (5 earlier refusal(s) not "
                    + "logged: more than 10 a minute)", log.list.get(10).getFormattedMessage());
            refusals.unidentified(new java.io.IOException("gone"));
            assertEquals("control socket: refused a request: cannot tell who is calling (java.io.IOException: gone)",
                    log.list.get(11).getFormattedMessage());
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void theRequestWordIsShownSafely() {
        assertEquals("mo\\u001bve", RefusalLog.printable("mo\u001bve"));
        assertEquals("x".repeat(40) + "...", RefusalLog.printable("x".repeat(4000)));
        assertEquals(List.of("status"), List.of(RefusalLog.printable("status")));
    }
}
