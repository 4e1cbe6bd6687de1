package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlHandlerTest {
    static final StatusReport REPORT = new StatusReport("n1", "vipd", "LEADER", "n1", 3, 42,
            List.of(new StatusReport.NodeStatus("n1", "198.18.0.1:7400", "LEADER", true, true, true, 10, false, null)),
            List.of(new StatusReport.VipStatus("web", "198.18.0.100/24", "eth0", "n1", 2, null, "least loaded",
                    true, "held", 30, null, List.of(), "off", java.util.Map.of(), java.util.Map.of())));

    private static String roundTrip(String input) {
        EmbeddedChannel ch = new EmbeddedChannel(new ControlChannelInitializer(() -> REPORT, null,
                new ConnectionCap(ControlChannelInitializer.MAX_CONNECTIONS), ControlChannelInitializer.REQUEST_TIMEOUT_MS));
        ch.writeInbound(Unpooled.copiedBuffer(input, StandardCharsets.UTF_8));
        ByteBuf out = ch.readOutbound();
        String s = out.toString(StandardCharsets.UTF_8);
        out.release();
        assertFalse(ch.isOpen(), "one request per connection");
        return s;
    }

    @Test
    void statusIsOneJsonLine() throws Exception {
        String answer = roundTrip("status\n");
        assertTrue(answer.endsWith("\n"));
        JsonNode json = ControlHandler.JSON.readTree(answer);
        assertEquals("n1", json.get("node").asText());
        assertEquals("web", json.get("vips").get(0).get("name").asText());
        assertEquals(REPORT, ControlHandler.JSON.treeToValue(json, StatusReport.class));
    }

    @Test
    void unknownRequestIsAnError() throws Exception {
        JsonNode json = ControlHandler.JSON.readTree(roundTrip("reboot\n"));
        assertTrue(json.get("error").asText().contains("unknown request 'reboot'"));
    }

    @Test
    void oversizedRequestIsRejectedNotBuffered() throws Exception {
        JsonNode json = ControlHandler.JSON.readTree(roundTrip("x".repeat(ControlChannelInitializer.MAX_REQUEST_BYTES + 10)));
        assertTrue(json.get("error").asText().startsWith("bad request"));
    }
}
