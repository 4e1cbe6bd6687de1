package io.vipd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.vipd.cluster.OwnershipEvent;
import io.vipd.control.StatusReport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics as a scrape shows them, and the HTTP handler that serves them. */
class VipdMetricsTest {
    static final StatusReport REPORT = new StatusReport("n1", "prod", "LEADER", "n1", 7, 1234,
            List.of(new StatusReport.NodeStatus("n1", "198.18.0.1:7400", "LEADER", true, true, true, 20, false, null),
                    new StatusReport.NodeStatus("n2", "198.18.0.2:7400", "FOLLOWER", false, false, false, 5000, true,
                            null)),
            List.of(new StatusReport.VipStatus("web", "198.18.0.100/24", "eth0", "n1", 3, "2026-12-07T08:00:00Z",
                            "least loaded", true, "held", 40, null, List.of(), "off",
                            Map.of("n1", "ok", "n2", "svc (tcp 127.0.0.1:80): connection refused"), Map.of(),
                            "02:00:00:00:00:01", List.of("52:54:00:aa:bb:cc (not a cluster member) heard by n2"), null),
                    new StatusReport.VipStatus("db", "198.18.0.101/24", "eth0", null, 0, null, "never assigned", false,
                            "not owner", -1, null, List.of(), "off", Map.of(), Map.of(), null, List.of(), null)));

    static String text(VipdMetrics m) throws Exception {
        return new String(m.scrape(), StandardCharsets.UTF_8);
    }

    @Test
    void aScrapeShowsTheNodeAndEachVipFromOneStatus() throws Exception {
        int[] calls = {0};
        VipdMetrics m = new VipdMetrics(() -> {
            calls[0]++;
            return REPORT;
        });
        String t = text(m);
        assertEquals(1, calls[0], "one status per scrape, whatever the number of gauges");
        for (String line : List.of(
                "vipd_node_info{cluster=\"prod\",node=\"n1\"} 1.0",
                "vipd_raft_leader 1.0",
                "vipd_raft_term 7.0",
                "vipd_raft_role{role=\"LEADER\"} 1.0",
                "vipd_vip_check_passing{node=\"n1\",vip=\"web\"} 1.0",
                "vipd_vip_check_passing{node=\"n2\",vip=\"web\"} 0.0",
                "vipd_raft_applied_index 1234.0",
                "vipd_member_reachable{member=\"n2\"} 0.0",
                "vipd_member_drained{member=\"n2\"} 1.0",
                "vipd_vip_owner{owner=\"n1\",vip=\"web\"} 1.0",
                "vipd_vip_owner{owner=\"\",vip=\"db\"} 1.0",
                "vipd_vip_held{vip=\"web\"} 1.0",
                "vipd_vip_held{vip=\"db\"} 0.0",
                "vipd_vip_epoch{vip=\"web\"} 3.0",
                "vipd_vip_conflicts{vip=\"web\"} 1.0",
                "vipd_vip_since_renewal_seconds{vip=\"web\"} 0.04",
                "vipd_config_reloads_total{result=\"failed\"} 0.0",
                "# TYPE jvm_memory_used_bytes gauge")) {
            assertTrue(t.contains(line + "\n"), line + " in:\n" + t);
        }
        assertFalse(t.contains("vipd_vip_since_renewal_seconds{vip=\"db\"}"), "only where the VIP is held");
    }

    @Test
    void countersCountWhatThisNodeApplied() throws Exception {
        long[] clock = {0};
        VipdMetrics m = new VipdMetrics(() -> REPORT, () -> VipdMetrics.Progress.UNKNOWN, () -> clock[0]);
        m.ownershipChanged(List.of(
                new OwnershipEvent(1, 1000, "web", OwnershipEvent.PLACED, null, "n1", 1, "least loaded"),
                new OwnershipEvent(2, 2000, "web", OwnershipEvent.HANDOVER, "n1", "n2", 2, "moved")));
        clock[0] += 40_000_000L; // the release applied 40 ms after the handover's start, on this node's clock
        m.ownershipChanged(List.of(
                new OwnershipEvent(3, 2000, "web", OwnershipEvent.HANDED_OVER, "n1", "n2", 2, "moved"),
                new OwnershipEvent(4, 3000, "web", OwnershipEvent.FAILOVER, "n2", "n3", 3,
                        "least loaded; previous owner n2 stopped renewing (failover after 812 ms without a renewal)"),
                new OwnershipEvent(5, 3000, "db", OwnershipEvent.FAILOVER, "n2", "n3", 1, "stopped renewing")));
        m.hostActionFailed("fence");
        m.leaseLapsed();
        m.renewal(true, 0.004);
        m.renewal(true, 0.030);
        m.renewal(false, 1.0);
        m.checkFlipped("web");
        m.reloaded(true);
        m.reloaded(false);
        m.reloaded(false);
        String t = text(m);
        for (String line : List.of(
                "vipd_ownership_changes_total{change=\"failover\",vip=\"web\"} 1.0",
                "vipd_ownership_changes_total{change=\"handed over\",vip=\"web\"} 1.0",
                "vipd_handover_duration_seconds_bucket{le=\"0.05\"} 1",
                "vipd_handover_duration_seconds_bucket{le=\"0.025\"} 0",
                "vipd_handover_duration_seconds_count 1",
                "vipd_leases_lapsed_total 1.0",
                "vipd_failover_gap_seconds_bucket{le=\"0.75\"} 0",
                "vipd_failover_gap_seconds_bucket{le=\"1.0\"} 1",
                "vipd_failover_gap_seconds_count 1",
                "vipd_vip_last_failover_gap_seconds{vip=\"web\"} 0.812",
                "vipd_host_actions_failed_total{action=\"fence\"} 1.0",
                "vipd_host_actions_failed_total{action=\"announce\"} 0.0",
                "vipd_renewal_round_trip_seconds_bucket{le=\"0.005\"} 1",
                "vipd_renewal_round_trip_seconds_count 2",
                "vipd_renewals_failed_total 1.0",
                "vipd_check_flips_total{vip=\"web\"} 1.0",
                "vipd_config_reloads_total{result=\"ok\"} 1.0",
                "vipd_config_reloads_total{result=\"failed\"} 2.0")) {
            assertTrue(t.contains(line + "\n"), line + " in:\n" + t);
        }
    }

    @Test
    void theCommitIndexFollowersLagAndLeaseComeFromTheProgress() throws Exception {
        int[] calls = {0};
        VipdMetrics m = new VipdMetrics(() -> REPORT, () -> {
            calls[0]++;
            return new VipdMetrics.Progress(1240, Map.of("n2", 17L, "n3", 0L), 1450);
        }, System::nanoTime);
        String t = text(m);
        assertEquals(1, calls[0]);
        for (String line : List.of(
                "vipd_raft_commit_index 1240.0",
                "vipd_raft_follower_lag_entries{member=\"n2\"} 17.0",
                "vipd_raft_follower_lag_entries{member=\"n3\"} 0.0",
                "vipd_vip_lease_remaining_seconds{vip=\"web\"} 1.45")) {
            assertTrue(t.contains(line + "\n"), line + " in:\n" + t);
        }
        assertFalse(t.contains("vipd_vip_lease_remaining_seconds{vip=\"db\"}"), "only where the VIP is held");
        String unknown = text(new VipdMetrics(() -> REPORT));
        assertFalse(unknown.contains("vipd_raft_commit_index "), "no commit index where it is not known");
        assertFalse(unknown.contains("vipd_vip_lease_remaining_seconds{"), "no lease where it is not known");
    }

    @Test
    void withoutAStatusTheCountersAndJvmStillAnswer() throws Exception {
        VipdMetrics m = new VipdMetrics(() -> {
            throw new IllegalStateException("still starting");
        });
        String t = text(m);
        assertFalse(t.contains("vipd_vip_owner{"), t);
        assertTrue(t.contains("vipd_leases_lapsed_total 0.0\n"), t);
        assertTrue(t.contains("jvm_threads_current"), t);
    }

    /** Scrape cost for a thousand VIPs: the time is a figure, printed; the size is asserted. */
    @Test
    void aThousandVipsMakeAScrapeOfAboutOneHundredSeventyFiveKilobytes() throws Exception {
        List<StatusReport.VipStatus> vips = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            vips.add(new StatusReport.VipStatus("vip" + i, "198.18.1." + (i % 250) + "/16", "eth0", "n" + (1 + i % 3),
                    3, "2026-12-07T08:00:00Z", "least loaded", i % 3 == 0, "held", 40, null, List.of(), "off",
                    Map.of(), Map.of(), "02:00:00:00:00:01", List.of(), null));
        }
        StatusReport big = new StatusReport("n1", "prod", "LEADER", "n1", 7, 1234, REPORT.nodes(), vips);
        VipdMetrics m = new VipdMetrics(() -> big);
        for (int i = 0; i < 20; i++) {
            m.scrape(); // warm up
        }
        int rounds = 50;
        long t0 = System.nanoTime();
        int bytes = 0;
        for (int i = 0; i < rounds; i++) {
            bytes = m.scrape().length;
        }
        double ms = (System.nanoTime() - t0) / 1e6 / rounds;
        System.out.printf("[benchmark] scrape of 1000 VIPs: %d bytes, %.2f ms (status report given)%n", bytes, ms);
        assertTrue(bytes > 150_000 && bytes < 1_000_000, "about 175 bytes per VIP: " + bytes);
    }

    /** One HTTP exchange with the handler. */
    static FullHttpResponse exchange(VipdMetrics m, HttpMethod method, String uri) {
        EmbeddedChannel server = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(8192),
                new MetricsHandler(m));
        EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 22));
        client.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        ByteBuf out;
        while ((out = client.readOutbound()) != null) {
            server.writeInbound(out);
        }
        while ((out = server.readOutbound()) != null) {
            client.writeInbound(out);
        }
        return client.readInbound();
    }

    @Test
    void theHandlerServesGetMetricsOnly() {
        VipdMetrics m = new VipdMetrics(() -> REPORT);
        FullHttpResponse ok = exchange(m, HttpMethod.GET, "/metrics");
        assertEquals(200, ok.status().code());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", ok.headers().get("Content-Type"));
        assertTrue(ok.content().toString(StandardCharsets.UTF_8).contains("vipd_vip_owner{owner=\"n1\",vip=\"web\"}"));
        ok.release();
        FullHttpResponse missing = exchange(m, HttpMethod.GET, "/");
        assertEquals(404, missing.status().code());
        missing.release();
        FullHttpResponse post = exchange(m, HttpMethod.POST, "/metrics");
        assertEquals(405, post.status().code());
        assertEquals("GET, HEAD", post.headers().get("Allow"));
        post.release();
    }
}
