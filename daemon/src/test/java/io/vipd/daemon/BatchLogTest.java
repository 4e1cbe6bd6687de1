package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BatchLogTest {
    final Logger logger = (Logger) LoggerFactory.getLogger("BatchLogTest");
    final ListAppender<ILoggingEvent> log = new ListAppender<>();
    final BatchLog batch = new BatchLog(logger);

    List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aFewVipsAreLoggedOneLineEachAndManyOneLinePerKindOfChange() {
        log.start();
        logger.addAppender(log);
        try {
            batch.add("web", "acquired on eth0", "acquired VIP web 198.18.0.100/24 on eth0 (epoch 2)");
            batch.add("db", "released from eth0: lease lapsed", "released VIP db 198.18.0.101/24 from eth0: lease lapsed");
            batch.flush();
            assertEquals(List.of("acquired VIP web 198.18.0.100/24 on eth0 (epoch 2)",
                    "released VIP db 198.18.0.101/24 from eth0: lease lapsed"), lines());
            batch.flush();
            assertEquals(2, log.list.size(), "a flush starts a new round");
            log.list.clear();
            for (int i = 0; i < 333; i++) {
                batch.add("v" + i, "acquired on eth0", "acquired VIP v" + i);
            }
            batch.add("x", "released from eth0: lease lapsed", "released VIP x");
            batch.flush();
            assertEquals(List.of("333 VIPs acquired on eth0: v0, v1, v2, v3, v4, v5, v6, v7, v8, v9 and 323 more",
                    "1 VIP released from eth0: lease lapsed: x"), lines());
        } finally {
            logger.detachAppender(log);
        }
    }
}
