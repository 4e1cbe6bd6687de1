package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator's monitoring sees (issue 18): every node serves Prometheus metrics on {@code metrics.listen},
 * scraped from the client namespace as a Prometheus server on the network would; {@code promtool check metrics}
 * finds nothing to say about them; a crash and a move show in the owner gauges, the ownership-change counters and
 * the handover histogram; {@code vipctl history} shows the same failover with how long the owner had not renewed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {
    private static final int PORT = 9460;

    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web").extraConfig("metrics.listen = 0.0.0.0:"
            + PORT + "\n");
    private Testbed bed; // set by the extension

    @BeforeAll
    void waitForOwner() {
        Testbed.waitUntil("web answered", 60_000, () -> bed.answeringHost("web") != 0);
    }

    private String scrape(int i) throws IOException {
        return bed.httpGet(i, PORT, "/metrics", 5000);
    }

    /** The value of the sample {@code series} (name and labels as exposed) in {@code text}, or -1 if absent. */
    static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    @Order(1)
    void everyNodeServesMetricsThatPromtoolAccepts() throws Exception {
        int owner = bed.answeringHost("web");
        for (int i = 1; i <= 3; i++) {
            long t0 = System.nanoTime();
            String text = scrape(i);
            System.out.printf("[benchmark] scrape of %s: %d bytes in %d ms%n", bed.node(i), text.length(),
                    (System.nanoTime() - t0) / 1_000_000L);
            assertEquals(1.0, sample(text, "vipd_vip_owner{owner=\"" + bed.node(owner) + "\",vip=\"web\"}"), text);
            assertEquals(i == owner ? 1.0 : 0.0, sample(text, "vipd_vip_held{vip=\"web\"}"), bed.node(i));
            assertEquals(1.0, sample(text, "vipd_node_info{cluster=\"vipd\",node=\"" + bed.node(i) + "\"}"));
            assertTrue(sample(text, "vipd_raft_commit_index") >= sample(text, "vipd_raft_applied_index") - 1
                    && sample(text, "vipd_raft_commit_index") > 0, "commit index: " + text);
            if (i == owner) {
                assertTrue(sample(text, "vipd_vip_lease_remaining_seconds{vip=\"web\"}") > 0, text);
            } else {
                assertEquals(-1.0, sample(text, "vipd_vip_lease_remaining_seconds{vip=\"web\"}"), "holder only");
            }
            assertEquals(0.0, sample(text, "vipd_host_actions_failed_total{action=\"announce\"}"), text);
            double renewals = sample(text, "vipd_renewal_round_trip_seconds_count");
            assertTrue(renewals > 10, "renewals are timed: " + renewals);
            System.out.printf("[benchmark] %s: %.0f renewals, mean round trip %.1f ms%n", bed.node(i), renewals,
                    sample(text, "vipd_renewal_round_trip_seconds_sum") / renewals * 1000);
            Path file = bed.workDir().resolve("metrics-" + i + ".txt");
            Files.writeString(file, text);
            Shell.Result lint = Shell.run(List.of("sh", "-c", "promtool check metrics < " + file), 30_000);
            assertEquals(0, lint.exit(), "promtool check metrics: " + lint.output());
            assertEquals("", lint.output().trim(), "promtool has nothing to say");
        }
        double leaders = 0;
        for (int i = 1; i <= 3; i++) {
            leaders += sample(scrape(i), "vipd_raft_leader");
        }
        assertEquals(1.0, leaders, "one leader among the three");
        int leader = bed.leader();
        String leaderText = scrape(leader);
        for (int i = 1; i <= 3; i++) {
            double lag = sample(leaderText, "vipd_raft_follower_lag_entries{member=\"" + bed.node(i) + "\"}");
            if (i == leader) {
                assertEquals(-1.0, lag, "the leader lists its followers only");
            } else {
                assertTrue(lag >= 0 && lag < 50, bed.node(i) + " is in step: " + lag);
            }
        }
    }

    @Test
    @Order(2)
    void aCrashAndAMoveShowInTheGaugesCountersAndHistogram() throws Exception {
        int owner = bed.answeringHost("web");
        int watcher = owner % 3 + 1;
        String before = scrape(watcher);
        double failovers = Math.max(0, sample(before, "vipd_ownership_changes_total{change=\"failover\",vip=\"web\"}"));
        double gaps = Math.max(0, sample(before, "vipd_failover_gap_seconds_count"));
        // vipctl watch follows the watcher's daemon through the failover, as a script would
        Path watchLog = bed.workDir().resolve("watch.jsonl");
        List<String> watchCmd = new java.util.ArrayList<>(Testbed.javaCommand(Testbed.vipdJarFromBuild(),
                "io.vipd.cli.Vipctl"));
        watchCmd.addAll(List.of("--socket", bed.socketPath(watcher).toString(), "watch", "--json"));
        Process watch = bed.spawn(watcher, watchCmd, watchLog);
        Thread.sleep(1500); // its JVM starts and subscribes
        long crashedAt = System.nanoTime();
        bed.kill9(owner);
        Testbed.waitUntil("web failed over", 15_000, () -> bed.answeringHost("web") != 0
                && bed.answeringHost("web") != owner);
        int next = bed.answeringHost("web");
        Testbed.waitUntil("the failover counted on " + bed.node(watcher), 10_000, () -> sample(scrapeQuietly(watcher),
                "vipd_ownership_changes_total{change=\"failover\",vip=\"web\"}") == failovers + 1);
        String after = scrape(watcher);
        assertEquals(1.0, sample(after, "vipd_vip_owner{owner=\"" + bed.node(next) + "\",vip=\"web\"}"), after);
        assertEquals(-1.0, sample(after, "vipd_vip_owner{owner=\"" + bed.node(owner) + "\",vip=\"web\"}"),
                "the old owner's series is gone");
        assertEquals(0.0, sample(after, "vipd_member_reachable{member=\"" + bed.node(owner) + "\"}"), after);
        assertEquals(gaps + 1, sample(after, "vipd_failover_gap_seconds_count"), after);
        double gap = sample(after, "vipd_vip_last_failover_gap_seconds{vip=\"web\"}");
        assertTrue(gap > 0.2 && gap < 10, "the gap of the failover: " + gap);
        System.out.printf("[benchmark] failover gap as the metrics show it: %.3f s%n", gap);
        Testbed.waitUntil("vipctl watch saw the failover", 10_000, () -> readQuietly(watchLog).contains(
                "\"event\":\"ownership\",\"vip\":\"web\",\"change\":\"failover\",\"from\":\"" + bed.node(owner)
                + "\",\"to\":\"" + bed.node(next) + "\""));
        System.out.printf("[benchmark] vipctl watch printed the failover within %d ms of the crash%n",
                (System.nanoTime() - crashedAt) / 1_000_000L);
        assertTrue(watch.isAlive(), "the watch keeps following");
        Testbed.killTree(watch);
        Shell.Result history = bed.vipctl(watcher, "history", "web");
        assertTrue(history.output().matches("(?s).*failover +" + bed.node(owner) + " +" + bed.node(next)
                + " .*stopped renewing \\(failover after \\d+ ms without a renewal\\).*"), history.output());
        bed.startDaemon(owner);
        Testbed.waitUntil(bed.node(owner) + " back", 60_000, () -> bed.reachableSeenBy(watcher, bed.node(owner)));

        int target = next % 3 + 1;
        double handovers = Math.max(0, sample(scrape(watcher), "vipd_handover_duration_seconds_count"));
        long t0 = System.nanoTime();
        Testbed.waitUntil("web moved to " + bed.node(target), 60_000, () -> {
            try {
                if (bed.answeringHost("web") != target) {
                    bed.vipctl(watcher, "move", "web", bed.node(target));
                }
            } catch (IOException e) {
                return false;
            }
            return bed.answeringHost("web") == target;
        });
        Testbed.waitUntil("the handover timed on " + bed.node(watcher), 10_000, () -> sample(scrapeQuietly(watcher),
                "vipd_handover_duration_seconds_count") >= handovers + 1);
        String moved = scrape(watcher);
        assertTrue(sample(moved, "vipd_ownership_changes_total{change=\"handed over\",vip=\"web\"}") >= 1, moved);
        System.out.printf("[benchmark] move seen in the metrics %d ms after it was asked; handover histogram sum %s s%n",
                (System.nanoTime() - t0) / 1_000_000L, sample(moved, "vipd_handover_duration_seconds_sum"));
        assertTrue(ArpReferee.dualAnswers(bed.referee().observations()).isEmpty());
        // after a failover and a move, every series the files name exists on some node: the leader's (followers'
        // lag), the holder's (its lease), the watcher's (it applied the failover)
        checkMonitoringFiles(scrape(bed.leader()) + scrape(bed.answeringHost("web")) + moved);
        System.out.println("[history] vipctl history web on " + bed.node(watcher) + ":\n"
                + bed.vipctl(watcher, "history", "web").output());
    }

    /**
     * conf/monitoring: the alert rules load and pass their unit tests in promtool; every dashboard query is valid
     * PromQL (promtool checks it as a recording rule); every vipd metric the rules and the dashboard name is in a
     * real scrape (here the scrapes of several nodes, one after the other), so neither can silently query a metric
     * that does not exist.
     */
    private void checkMonitoringFiles(String scrape) throws Exception {
        Path dir = Path.of("..", "conf", "monitoring").toAbsolutePath().normalize();
        Shell.Result rules = Shell.run(List.of("promtool", "check", "rules", dir.resolve("vipd-alerts.yml").toString()),
                30_000);
        assertEquals(0, rules.exit(), rules.output());
        Shell.Result unit = Shell.run(List.of("sh", "-c", "cd " + dir + " && promtool test rules vipd-alerts.test.yml"),
                30_000);
        assertEquals(0, unit.exit(), unit.output());
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dir.resolve("vipd-dashboard.json").toFile());
        StringBuilder recording = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        StringBuilder queries = new StringBuilder();
        int k = 0;
        for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.get("panels")) {
            for (com.fasterxml.jackson.databind.JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                queries.append(expr).append('\n');
                recording.append("      - record: dashboard_query_").append(++k).append("\n        expr: ")
                        .append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(expr)).append('\n');
            }
        }
        Path asRules = bed.workDir().resolve("dashboard-queries.yml");
        Files.writeString(asRules, recording.toString());
        Shell.Result valid = Shell.run(List.of("promtool", "check", "rules", asRules.toString()), 30_000);
        assertEquals(0, valid.exit(), "dashboard queries: " + valid.output());
        Matcher names = Pattern.compile("\\b(vipd_[a-z_]+)").matcher(queries + Files.readString(
                dir.resolve("vipd-alerts.yml")));
        int checked = 0;
        while (names.find()) {
            assertTrue(scrape.contains("\n" + names.group(1)), names.group(1) + " is queried but not exported");
            checked++;
        }
        assertTrue(checked >= 10, "the dashboard and rules query vipd's metrics: " + checked);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private String scrapeQuietly(int i) {
        try {
            return scrape(i);
        } catch (IOException e) {
            return "";
        }
    }
}
