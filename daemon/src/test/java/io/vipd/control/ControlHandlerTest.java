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

    static final Caller ROOT = new Caller(4242, 0, "root", java.util.Set.of(0));

    /** A connection pipeline as the server builds it, whose every caller is {@code caller}. */
    static ControlChannelInitializer pipeline(ControlHandler.Service service, ControlAccess access, Caller caller,
                                              ConnectionCap cap, long requestTimeoutMs) {
        return new ControlChannelInitializer(service, access, ch -> caller, null, cap, requestTimeoutMs);
    }

    /** A connection pipeline whose every caller is root. */
    static ControlChannelInitializer asRoot(ControlHandler.Service service, ConnectionCap cap, long requestTimeoutMs) {
        return pipeline(service, ControlAccess.ownerOnly(0, "root"), ROOT, cap, requestTimeoutMs);
    }

    private static String roundTrip(String input) {
        EmbeddedChannel ch = new EmbeddedChannel(asRoot(() -> REPORT,
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
    void doctorPassesTheVipsAndAnswersWithTheReport() throws Exception {
        java.util.List<java.util.List<String>> asked = new java.util.ArrayList<>();
        DoctorReport report = new DoctorReport("n1", java.util.List.of(new DoctorReport.Finding(DoctorReport.PROBLEM,
                "web", "MAC x answers", "remove it")), java.util.List.of("web: answered by x"), java.util.List.of());
        ControlHandler.Service service = new ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return REPORT;
            }

            @Override
            public DoctorReport doctor(java.util.List<String> vips) {
                asked.add(vips);
                return report;
            }
        };
        String answer = ask(service, ControlAccess.ownerOnly(0, "root"), ch -> ROOT, "doctor web db");
        assertEquals(java.util.List.of(java.util.List.of("web", "db")), asked);
        assertEquals(report, ControlHandler.JSON.readValue(answer, DoctorReport.class));
        ask(service, ControlAccess.ownerOnly(0, "root"), ch -> ROOT, "doctor");
        assertEquals(java.util.List.of(), asked.get(1), "no VIP named: all");
    }

    @Test
    void historyIsReadableByReadersAndAnswersWithTheReport() throws Exception {
        HistoryReport history = new HistoryReport("vipd", 7, java.util.List.of(new HistoryReport.Event(7,
                "2026-12-07T08:00:00Z", "web", "failover", "n1", "n2", 3, "least loaded; previous owner n1 stopped "
                + "renewing (failover after 851 ms without a renewal)")));
        ControlHandler.Service service = new ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return REPORT;
            }

            @Override
            public HistoryReport history() {
                return history;
            }
        };
        String answer = ask(service, ControlAccessTest.POLICY, ch -> ControlAccessTest.MEMBER, "history");
        assertEquals(history, ControlHandler.JSON.readValue(answer, HistoryReport.class));
    }

    @Test
    void watchKeepsTheConnectionAndStreamsEachEventUntilTheClientGoes() throws Exception {
        java.util.List<java.util.function.Consumer<String>> subscribers = new java.util.ArrayList<>();
        boolean[] unsubscribed = {false};
        ControlHandler.Service service = new ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return REPORT;
            }

            @Override
            public AutoCloseable watch(java.util.function.Consumer<String> lines) {
                subscribers.add(lines);
                return () -> unsubscribed[0] = true;
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(new ControlChannelInitializer(service, ControlAccessTest.POLICY,
                c -> ControlAccessTest.MEMBER, null, new ConnectionCap(2), ControlChannelInitializer.REQUEST_TIMEOUT_MS));
        ch.writeInbound(Unpooled.copiedBuffer("watch\n", StandardCharsets.UTF_8));
        assertTrue(next(ch).startsWith("{\"watching\":"), "a first line says the watch began");
        assertEquals(1, subscribers.size());
        subscribers.get(0).accept("{\"event\":\"ownership\",\"vip\":\"web\"}");
        subscribers.get(0).accept("{\"event\":\"lease\"}");
        assertEquals("{\"event\":\"ownership\",\"vip\":\"web\"}\n", next(ch));
        assertEquals("{\"event\":\"lease\"}\n", next(ch));
        assertTrue(ch.isOpen(), "the connection stays for further events");
        ch.close();
        assertTrue(unsubscribed[0], "a client that goes is unsubscribed");
    }

    @Test
    void atMostEightWatchesAreOpenAtOnce() {
        ControlHandler.Service service = new ControlHandler.Service() {
            @Override
            public StatusReport status() {
                return REPORT;
            }

            @Override
            public AutoCloseable watch(java.util.function.Consumer<String> lines) {
                return () -> { };
            }
        };
        ControlChannelInitializer server = new ControlChannelInitializer(service, ControlAccess.ownerOnly(0, "root"),
                c -> ROOT, null, new ConnectionCap(20), ControlChannelInitializer.REQUEST_TIMEOUT_MS);
        List<EmbeddedChannel> open = new java.util.ArrayList<>();
        for (int i = 0; i < ControlHandler.MAX_WATCHERS; i++) {
            EmbeddedChannel ch = new EmbeddedChannel(server);
            ch.writeInbound(Unpooled.copiedBuffer("watch\n", StandardCharsets.UTF_8));
            assertTrue(next(ch).startsWith("{\"watching\":"));
            open.add(ch);
        }
        EmbeddedChannel ninth = new EmbeddedChannel(server);
        ninth.writeInbound(Unpooled.copiedBuffer("watch\n", StandardCharsets.UTF_8));
        assertEquals("{\"error\":\"too many watches open (max 8)\"}\n", next(ninth));
        open.get(0).close();
        EmbeddedChannel again = new EmbeddedChannel(server);
        again.writeInbound(Unpooled.copiedBuffer("watch\n", StandardCharsets.UTF_8));
        assertTrue(next(again).startsWith("{\"watching\":"), "a closed watch frees its place");
    }

    private static String next(EmbeddedChannel ch) {
        ByteBuf out = ch.readOutbound();
        String s = out.toString(StandardCharsets.UTF_8);
        out.release();
        return s;
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

    /** Answers every request a service records, as {@code caller} (the connection's), under {@code access}. */
    private static String ask(ControlHandler.Service service, ControlAccess access, ControlHandler.CallerLookup who,
                              String request) {
        EmbeddedChannel ch = new EmbeddedChannel(new ControlChannelInitializer(service, access, who, null,
                new ConnectionCap(2), ControlChannelInitializer.REQUEST_TIMEOUT_MS));
        ch.writeInbound(Unpooled.copiedBuffer(request + "\n", StandardCharsets.UTF_8));
        ByteBuf out = ch.readOutbound();
        String s = out.toString(StandardCharsets.UTF_8);
        out.release();
        return s;
    }

    /** A service that records each request and the caller it was given. */
    static final class Recording implements ControlHandler.Service {
        final List<String> calls = new java.util.ArrayList<>();

        @Override
        public StatusReport status() {
            calls.add("status");
            return REPORT;
        }

        @Override
        public String lead(Caller caller) {
            calls.add("lead by " + caller.describe());
            return "led";
        }

        @Override
        public String move(Caller caller, String vip, String node) {
            calls.add("move " + vip + " " + node + " by " + caller.describe());
            return "moved";
        }

        @Override
        public String drain(Caller caller, String node, boolean drained) {
            calls.add((drained ? "drain " : "undrain ") + node + " by " + caller.describe());
            return "drained";
        }

        @Override
        public String reload(Caller caller) {
            calls.add("reload by " + caller.describe());
            return "reloaded";
        }
    }

    @Test
    void everyChangeGetsItsCaller() {
        Recording service = new Recording();
        ControlAccess access = ControlAccess.ownerOnly(0, "root");
        for (String request : List.of("lead", "move web n2", "drain n1", "undrain n1", "reload", "status")) {
            ask(service, access, ch -> ROOT, request);
        }
        assertEquals(List.of("lead by root (uid 0, pid 4242)", "move web n2 by root (uid 0, pid 4242)",
                "drain n1 by root (uid 0, pid 4242)", "undrain n1 by root (uid 0, pid 4242)",
                "reload by root (uid 0, pid 4242)", "status"), service.calls);
    }

    @Test
    void refusedCallersNeverReachTheService() {
        Recording service = new Recording();
        ControlAccess access = ControlAccessTest.POLICY;
        assertEquals("{\"error\":\"permission denied: bob (uid 1001) may not run 'move' (allowed: root, vipd; "
                + "members of group 'vipd' may read status, history, watch and doctor)\"}\n",
                ask(service, access, ch -> ControlAccessTest.STRANGER, "move web n2"));
        assertEquals("{\"error\":\"permission denied: alice (uid 1000) may only read (status, history, watch, doctor)\"}\n",
                ask(service, access, ch -> ControlAccessTest.MEMBER, "drain n1"));
        // a reader's unknown or malformed request is refused as a change, before it is parsed
        assertEquals("{\"error\":\"permission denied: alice (uid 1000) may only read (status, history, watch, doctor)\"}\n",
                ask(service, access, ch -> ControlAccessTest.MEMBER, "move web"));
        assertEquals(List.of(), service.calls);
        assertTrue(ask(service, access, ch -> ControlAccessTest.MEMBER, "status").startsWith("{\"node\":\"n1\""));
        assertEquals(List.of("status"), service.calls);
    }

    @Test
    void aCallerWhoCannotBeIdentifiedIsRefused() {
        Recording service = new Recording();
        // the real lookup on a connection that is no Unix socket (EmbeddedChannel): no credentials to go by
        String answer = ask(service, ControlAccess.ownerOnly(0, "root"), new PeerIdentity(UnixAccounts.system()),
                "status");
        assertEquals("{\"error\":\"permission denied: cannot tell who is calling (not a Unix domain socket "
                + "connection: EmbeddedChannel)\"}\n", answer);
        assertEquals("{\"error\":\"permission denied: cannot tell who is calling (boom)\"}\n",
                ask(service, ControlAccess.ownerOnly(0, "root"), ch -> {
                    throw new IllegalStateException("boom");
                }, "lead"));
        assertEquals(List.of(), service.calls);
    }

    @Test
    void peerGroupsAreNativeOrderGids() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(998).putInt(4).putInt(-2);
        assertEquals(java.util.Set.of(4, 998, -2), PeerIdentity.decode(b.array(), 12));
        assertEquals(java.util.Set.of(998, 4), PeerIdentity.decode(b.array(), 8), "only the length reported");
        assertEquals(java.util.Set.of(), PeerIdentity.decode(b.array(), 0));
    }
}
