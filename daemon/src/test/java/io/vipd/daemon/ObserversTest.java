package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.Peer;
import io.vipd.metrics.VipdMetrics;
import io.vipd.control.StatusReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each happening reaches the watchers' stream and the metrics once, the same way. */
class ObserversTest {
    private final Observers observers = new Observers(() -> 1_765_000_000_000L);
    private final List<String> lines = new ArrayList<>();
    private final VipdMetrics metrics = new VipdMetrics(() -> new StatusReport("n1", "c", "FOLLOWER", "n2", 1, 1,
            List.of(), List.of()));

    ObserversTest() {
        observers.events().subscribe(lines::add);
        observers.metrics(metrics);
    }

    private String scrape() throws Exception {
        return new String(metrics.scrape(), StandardCharsets.UTF_8);
    }

    @Test
    void membershipChangesAreStreamedWithEachMembersRole() {
        observers.membership(List.of(new Peer("n1", "198.18.0.1", 7400), new Peer("w", "198.18.0.9", 7400, true),
                new Peer("n4", "198.18.0.4", 7400, false, false)));
        assertEquals(List.of("{\"time\":\"2025-12-06T05:46:40Z\",\"event\":\"membership\",\"members\":["
                + "\"n1 198.18.0.1:7400\",\"w 198.18.0.9:7400 (witness)\",\"n4 198.18.0.4:7400 (listener)\"]}"), lines);
    }

    @Test
    void checkFlipsAreCountedOnlyBetweenPassingAndFailing() throws Exception {
        Map<String, String> ok = new LinkedHashMap<>();
        ok.put("web", "");
        observers.checks(ok);
        observers.checks(Map.of("web", "svc (tcp 127.0.0.1:80): connection refused"));
        observers.checks(Map.of("web", "svc (tcp 127.0.0.1:80): timed out")); // still failing: no flip
        observers.checks(ok);
        assertTrue(scrape().contains("vipd_check_flips_total{vip=\"web\"} 2.0\n"), scrape());
        assertEquals(4, lines.size());
        assertTrue(lines.get(1).contains("\"event\":\"checks\",\"results\":{\"web\":\"svc (tcp 127.0.0.1:80): "
                + "connection refused\"}"), lines.get(1));
        assertTrue(lines.get(3).contains("\"results\":{\"web\":\"ok\"}"), lines.get(3));
    }

    @Test
    void leaseLapsesReloadsAndHostFailuresReachBoth() throws Exception {
        observers.leaseLapsed(1450);
        observers.reloaded(false);
        observers.hostActionFailed("announce");
        String t = scrape();
        assertTrue(t.contains("vipd_leases_lapsed_total 1.0\n"), t);
        assertTrue(t.contains("vipd_config_reloads_total{result=\"failed\"} 1.0\n"), t);
        assertTrue(t.contains("vipd_host_actions_failed_total{action=\"announce\"} 1.0\n"), t);
        assertEquals(2, lines.size(), "a failed host action is counted, not streamed: " + lines);
        assertTrue(lines.get(0).contains("\"event\":\"lease\"") && lines.get(0).contains("\"sinceRenewalMillis\":1450"),
                lines.get(0));
        assertTrue(lines.get(1).contains("\"event\":\"reload\",\"result\":\"failed\""), lines.get(1));
    }
}
