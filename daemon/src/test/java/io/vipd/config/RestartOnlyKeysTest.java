package io.vipd.config;

import static io.vipd.config.ConfigLoaderTest.FILE;
import static io.vipd.config.ConfigLoaderTest.VALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vipd.config.keys.ConfigKey;
import io.vipd.config.keys.ConfigKeys;
import io.vipd.config.keys.TimingKeys;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What a reload may change and what takes a restart, as the catalogue declares it (the reloader's comparison). */
class RestartOnlyKeysTest {
    private static final String TLS = "tls.ca = /etc/vipd/tls/ca.pem\ntls.cert = /etc/vipd/tls/n1.pem\n"
            + "tls.key = /etc/vipd/tls/n1.key\n";
    private static final String BASE = VALID + TLS + "check.c.type = tcp\ncheck.c.target = 127.0.0.1:80\n"
            + "vip.web.checks = c\nvip.web.preempt = on\n";
    /** A group of db and a second VIP; its settings are edits of their own. */
    private static final String GROUP = "vip.gw2.address = 198.18.1.2/24\nvip.gw2.interface = eth1\n"
            + "group.g.vips = db, gw2\n";
    private static final String HTTP = "check.h.type = http\ncheck.h.url = http://127.0.0.1/\n";
    private static final String EXEC = "check.e.type = exec\ncheck.e.command = /bin/true\n";

    private final ConfigLoader loader = new ConfigLoader(ignored -> "host-a");

    /** One edit of BASE per key of the catalogue that changes what the key decides. */
    private static final Map<String, UnaryOperator<String>> EDITS = new TreeMap<>(Map.ofEntries(
            Map.entry("node.id", t -> t.replace("node.id = n1", "node.id = n2").replace("n2, n1", "n2")),
            Map.entry("cluster.name", t -> t + "cluster.name = other\n"),
            Map.entry("data.dir", t -> t.replace("/tmp/vipd-test", "/tmp/vipd-other")),
            Map.entry("control.socket", t -> t + "control.socket = /run/vipd/other.sock\n"),
            Map.entry("control.group", t -> t + "control.group = adm\n"),
            Map.entry("metrics.listen", t -> t + "metrics.listen = 127.0.0.1:9460\n"),
            Map.entry("tls.ca", t -> t.replace("ca.pem", "ca2.pem")),
            Map.entry("tls.cert", t -> t.replace("n1.pem", "n1-2026.pem")),
            Map.entry("tls.key", t -> t.replace("n1.key", "n1-2026.key")),
            Map.entry("insecure", t -> t.replace(TLS, "insecure = true\n")),
            Map.entry("announce.burst.count", t -> t + "announce.burst.count = 5\n"),
            Map.entry("announce.burst.interval.ms", t -> t + "announce.burst.interval.ms = 50\n"),
            Map.entry("announce.refresh.ms", t -> t + "announce.refresh.ms = 0\n"),
            Map.entry("profile", t -> t + "profile = fast\n"),
            Map.entry("raft.snapshot.entries", t -> t + "raft.snapshot.entries = 1000\n"),
            Map.entry("raft.election.timeout.min.ms", t -> t + "raft.election.timeout.min.ms = 100\n"),
            Map.entry("raft.election.timeout.max.ms", t -> t + "raft.election.timeout.max.ms = 250\n"),
            Map.entry("lease.ms", t -> t + "lease.ms = 600\n"),
            Map.entry("lease.renew.interval.ms", t -> t + "lease.renew.interval.ms = 50\n"),
            Map.entry("failover.timeout.ms", t -> t + "failover.timeout.ms = 1000\n"),
            Map.entry("notify.acquire", t -> t + "notify.acquire = /bin/true\n"),
            Map.entry("notify.release", t -> t + "notify.release = /bin/true\n"),
            Map.entry("notify.fault", t -> t + "notify.fault = /bin/true\n"),
            Map.entry("notify.any", t -> t + "notify.any = /bin/true\n"),
            Map.entry("notify.conflict", t -> t + "notify.conflict = /bin/true\n"),
            Map.entry("watch.probe.interval.ms", t -> t + "watch.probe.interval.ms = 0\n"),
            Map.entry("notify.timeout.ms", t -> t + "notify.timeout.ms = 500\n"),
            Map.entry("peer.ID", t -> t.replace("198.18.0.3:7400", "198.18.0.3:7401")),
            Map.entry("witnesses", t -> t + "witnesses = n3\n"),
            Map.entry("voters", t -> t + "voters = n1, n2\n"),
            Map.entry("vip.NAME.address", t -> t.replace("198.18.0.100/24", "198.18.0.110/24")),
            Map.entry("vip.NAME.interface", t -> t.replace("vip.web.interface = eth0", "vip.web.interface = eth1")),
            Map.entry("vip.NAME.prefer", t -> t.replace("n2, n1", "n3")),
            Map.entry("vip.NAME.checks", t -> t.replace("vip.web.checks = c\n", "")),
            Map.entry("vip.NAME.preempt", t -> t.replace("vip.web.preempt = on", "vip.web.preempt = off")),
            Map.entry("vip.NAME.preempt.delay.ms", t -> t + "vip.web.preempt.delay.ms = 100\n"),
            Map.entry("vip.NAME.preempt.hold.ms", t -> t + "vip.web.preempt.hold.ms = 100\n"),
            Map.entry("vip.NAME.unhealthy", t -> t + "vip.web.unhealthy = release\n"),
            Map.entry("vip.NAME.conflict", t -> t + "vip.web.conflict = warn\n"),
            Map.entry("vip.NAME.on_silent", t -> t + "vip.web.on_silent = report\n"),
            Map.entry("vip.NAME.track", t -> t + "vip.web.track = bond0\n"),
            Map.entry("group.NAME.vips", t -> t + GROUP),
            Map.entry("group.NAME.prefer", t -> t + GROUP + "group.g.prefer = n2\n"),
            Map.entry("group.NAME.checks", t -> t + GROUP + "group.g.checks = c\n"),
            Map.entry("group.NAME.preempt", t -> t + GROUP + "group.g.preempt = on\n"),
            Map.entry("group.NAME.preempt.delay.ms", t -> t + GROUP
                    + "group.g.preempt = on\ngroup.g.preempt.delay.ms = 100\n"),
            Map.entry("group.NAME.preempt.hold.ms", t -> t + GROUP
                    + "group.g.preempt = on\ngroup.g.preempt.hold.ms = 100\n"),
            Map.entry("watch.silent.after.ms", t -> t + "watch.silent.after.ms = 5000\n"),
            Map.entry("check.NAME.type", t -> t.replace("check.c.type = tcp\ncheck.c.target = 127.0.0.1:80",
                    "check.c.type = exec\ncheck.c.command = /bin/true")),
            Map.entry("check.NAME.target", t -> t.replace("127.0.0.1:80", "127.0.0.1:81")),
            Map.entry("check.NAME.url", t -> t + HTTP),
            Map.entry("check.NAME.status", t -> t + HTTP + "check.h.status = 200\n"),
            Map.entry("check.NAME.command", t -> t + EXEC),
            Map.entry("check.NAME.shell", t -> t + EXEC + "check.e.shell = true\n"),
            Map.entry("check.NAME.interval.ms", t -> t + "check.c.interval.ms = 2000\n"),
            Map.entry("check.NAME.timeout.ms", t -> t + "check.c.timeout.ms = 500\n"),
            Map.entry("check.NAME.rise", t -> t + "check.c.rise = 3\n"),
            Map.entry("check.NAME.fall", t -> t + "check.c.fall = 3\n")));

    private List<String> changes(String before, String after) throws Exception {
        return ConfigKeys.restartOnlyChanges(loader.parse(FILE, before), loader.parse(FILE, after));
    }

    @Test
    void aReloadMayChangeExactlyTheKeysTheCatalogueCallsReloadable() throws Exception {
        assertEquals(ConfigKeys.ALL.stream().map(ConfigKey::name).sorted().toList(), List.copyOf(EDITS.keySet()),
                "one edit per key of the catalogue");
        VipdConfig base = loader.parse(FILE, BASE);
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            VipdConfig edited = loader.parse(FILE, EDITS.get(key.name()).apply(BASE));
            assertNotEquals(base, edited, key.name() + ": the edit changes nothing");
            assertEquals(key.reloadable() ? List.of() : List.of(key.restartLabel()),
                    ConfigKeys.restartOnlyChanges(base, edited), key.name());
            assertEquals(key.reloadable() ? List.of() : List.of(key.restartLabel()),
                    ConfigKeys.restartOnlyChanges(edited, base), key.name() + ", changed back");
        }
    }

    @Test
    void theLabelsAReloadIsRefusedWith() {
        Map<String, String> labels = new TreeMap<>();
        ConfigKeys.ALL.stream().filter(k -> !k.reloadable()).forEach(k -> labels.put(k.name(), k.restartLabel()));
        String timing = "timing (profile, lease, renew, failover, election keys)";
        assertEquals(timing, TimingKeys.RESTART_LABEL);
        assertEquals(new TreeMap<>(Map.ofEntries(Map.entry("node.id", "node.id"),
                Map.entry("cluster.name", "cluster.name"), Map.entry("data.dir", "data.dir"),
                Map.entry("control.socket", "control.socket"), Map.entry("control.group", "control.group"),
                Map.entry("metrics.listen", "metrics.listen"),
                Map.entry("insecure", "insecure (TLS on or off)"), Map.entry("peer.ID", "peer.*"), Map.entry("witnesses", "peer.*"), Map.entry("voters", "peer.*"),
                Map.entry("raft.snapshot.entries", "raft.snapshot.entries"), Map.entry("profile", timing),
                Map.entry("raft.election.timeout.min.ms", timing), Map.entry("raft.election.timeout.max.ms", timing),
                Map.entry("lease.ms", timing), Map.entry("lease.renew.interval.ms", timing),
                Map.entry("failover.timeout.ms", timing))), labels);
    }

    @Test
    void whatIsComparedIsTheValueNotTheText() throws Exception {
        // The same values written out, or reached through another profile: nothing to restart for.
        assertEquals(List.of(), changes(BASE, BASE + "lease.ms = 700\nprofile = default\ncluster.name = vipd\n"
                + "control.group = vipd\nraft.snapshot.entries = 20000\ninsecure = false\n"));
        assertEquals(List.of(), changes(BASE, BASE + "profile = fast\nraft.election.timeout.min.ms = 150\n"
                + "raft.election.timeout.max.ms = 300\nlease.ms = 700\nlease.renew.interval.ms = 100\n"
                + "failover.timeout.ms = 850\n"));
        assertEquals(List.of(), changes(BASE, BASE.replace("peer.n1 = 198.18.0.1:7400", "peer.n1 = 198.18.0.1:07400")));
    }

    @Test
    void severalChangesAreNamedOnceEachInCatalogueOrder() throws Exception {
        // What ReloadIT changes: two timing keys, one label.
        assertEquals(List.of(TimingKeys.RESTART_LABEL), changes(BASE, BASE + "lease.ms = 900\n"
                + "failover.timeout.ms = 1200\n"));
        assertEquals(List.of("cluster.name", "control.group", TimingKeys.RESTART_LABEL, "peer.*"),
                changes(BASE, BASE.replace("198.18.0.3:7400", "198.18.0.3:7401") + "lease.ms = 600\n"
                        + "control.group = adm\ncluster.name = other\n"));
    }
}
