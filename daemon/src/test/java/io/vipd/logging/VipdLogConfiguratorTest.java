package io.vipd.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VipdLogConfiguratorTest {
    /** Configures a fresh context with {@code settings} and runs {@code logging} with standard output captured. */
    static String run(Map<String, String> settings, java.util.function.Consumer<LoggerContext> logging) {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as SLF4J's binding does
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY,
                    new VipdLogConfigurator(settings::get).configure(context));
            logging.accept(context);
        } finally {
            System.setOut(out);
            context.stop();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void vipdLogsAtInfoRatisAtWarnAndARatisEventIsOneLine() {
        String out = run(Map.of(), context -> {
            context.getLogger("io.vipd.daemon.Placement").info("placing VIP web on n2");
            context.getLogger("io.vipd.daemon.Placement").debug("not shown");
            context.getLogger("org.apache.ratis.server.impl.LeaderElection").info("not shown either");
            context.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").warn("Failed appendEntries",
                    new IllegalStateException("outer", new java.io.IOException("connection refused")));
        });
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, "[" + out + "]");
        assertTrue(lines[0].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  Placement: placing VIP web on n2"), lines[0]);
        assertTrue(lines[1].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  GrpcLogAppender: Failed appendEntries "
                + "java.io.IOException: connection refused"), lines[1]); // the root cause, as class: message
        assertTrue(!out.contains("\tat "), "no stack frames: " + out);
    }

    @Test
    void levelsComeFromTheSettingsAndABadValueKeepsTheDefault() {
        run(Map.of("VIPD_LOG_LEVEL", "debug", "VIPD_RATIS_LOG_LEVEL", "INFO"), context -> {
            assertEquals(Level.DEBUG, context.getLogger("root").getLevel());
            assertEquals(Level.INFO, context.getLogger("org.apache.ratis").getLevel());
            assertEquals(Level.ERROR, context.getLogger("org.apache.ratis.thirdparty").getLevel());
        });
        run(Map.of("VIPD_LOG_LEVEL", "loud"), context ->
                assertEquals(Level.INFO, context.getLogger("root").getLevel()));
    }

    @Test
    void jsonLinesCarryTheOwnershipFieldsByStableNames() throws Exception {
        String out = run(Map.of("VIPD_LOG_FORMAT", "json"), context -> {
            context.getLogger("io.vipd.daemon.AppliedEvents").atInfo().setMessage("VIP web: owner n1 -> n2 (epoch 3): "
                    + "least loaded").addKeyValue("vip", "web").addKeyValue("node", "n2").addKeyValue("from", "n1")
                    .addKeyValue("epoch", 3L).addKeyValue("reason", "least loaded").log();
            context.getLogger("org.apache.ratis.server.RaftServer").warn("a Ratis line");
        });
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        com.fasterxml.jackson.databind.JsonNode first = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(lines[0]);
        assertEquals("INFO", first.get("level").asText());
        assertEquals("io.vipd.daemon.AppliedEvents", first.get("loggerName").asText());
        assertEquals("VIP web: owner n1 -> n2 (epoch 3): least loaded", first.get("formattedMessage").asText());
        Map<String, String> kv = new java.util.HashMap<>();
        first.get("kvpList").forEach(pair -> pair.fields().forEachRemaining(e -> kv.put(e.getKey(),
                e.getValue().asText())));
        assertEquals(Map.of("vip", "web", "node", "n2", "from", "n1", "epoch", "3", "reason", "least loaded"), kv);
        assertTrue(first.get("timestamp").asLong() > 0);
        assertEquals("WARN", new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[1]).get("level").asText(),
                "Ratis's lines are JSON too");
    }
}
