package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live reload against three real daemons: a broken file is rejected with its line and key and changes nothing; a
 * good one adds a VIP, releases a removed one everywhere and leaves the unchanged one alone, which the ARP referee
 * must see answered in every request round, by the same MAC, throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadIT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "db", "api").manualStart();
    private Testbed bed; // set by the extension
    private long startNanos;

    @BeforeAll
    void start() throws Exception {
        startNanos = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            bed.startDaemon(i, Map.of(), bed.configWithout(i, java.util.Set.of("api")));
        }
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            Map<java.net.InetAddress, List<String>> dual = ArpReferee.dualAnswers(bed.referee().since(startNanos));
            assertTrue(dual.isEmpty(), "several MACs answered one VIP in the same request round: " + dual);
        }
    }

    private int answering(String vip) {
        return bed.answeringHost(vip);
    }

    @Test
    @Order(1)
    void brokenFileIsRejectedWithItsLineAndKeyAndChangesNothing() throws Exception {
        Testbed.waitUntil("web and db answered", 60_000, () -> answering("web") != 0 && answering("db") != 0);
        String good = Files.readString(bed.configPath(1));
        Files.writeString(bed.configPath(1), good + "vip.web.adress = 198.18.0.110/24\n");
        int line = good.split("\n").length + 1;
        Shell.Result r = bed.vipctl(1, "reload");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains(bed.configPath(1) + ":" + line + ": vip.web.adress: unknown key"), r.output());
        assertTrue(r.output().contains("reload rejected; the running configuration stays in force"), r.output());
        // A change that needs a restart is refused too.
        Files.writeString(bed.configPath(1), good + "lease.ms = 900\n"
                + "failover.timeout.ms = 1200\n");
        Shell.Result restart = bed.vipctl(1, "reload");
        assertEquals(1, restart.exit(), restart.output());
        assertTrue(restart.output().contains("timing (profile, lease, renew, failover, election keys) changed: that "
                + "takes a restart"), restart.output());
        Files.writeString(bed.configPath(1), good);
        assertEquals(0, bed.vipctl(1, "reload").exit());
    }

    @Test
    @Order(2)
    void reloadAddsRemovesAndLeavesUnchangedVipsAlone() throws Exception {
        int webOwner = answering("web");
        assertTrue(webOwner != 0);
        long from = System.nanoTime();
        // Every host: api added, db removed, web unchanged. Two by vipctl reload, the third by SIGHUP.
        for (int i = 1; i <= 3; i++) {
            Files.writeString(bed.configPath(i), bed.configWithout(i, java.util.Set.of("db")));
        }
        Shell.Result r = bed.vipctl(1, "reload");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("added api; removed db; redefined none"), r.output());
        // While only n1 has api, the others are reported as disagreeing (and are not given it).
        JsonNode api = null;
        for (JsonNode v : bed.status(1).get("vips")) {
            if (v.get("name").asText().equals("api")) {
                api = v;
            }
        }
        assertTrue(api != null && api.get("disagreements").has("n2"), String.valueOf(api));
        assertEquals(0, bed.vipctl(2, "reload").exit());
        long lastReload = System.nanoTime();
        Shell.ok("kill", "-HUP", String.valueOf(bed.pid(3)));
        Testbed.waitUntil("api answered", 20_000, () -> answering("api") != 0);
        // includes the first bind's probe wait (a VIP new to a node is probed for 500 ms before it is bound)
        System.out.printf("[benchmark] api added by reload: answered %d ms after the last host reloaded%n",
                (System.nanoTime() - lastReload) / 1_000_000L);
        int apiOwner = answering("api");
        System.out.printf("[benchmark] api's owner %s waited for probes before binding it: %s%n", bed.node(apiOwner),
                bed.log(apiOwner).contains("not taking VIP api 198.18.0.102/24 yet: probing it first"));
        Testbed.waitUntil("db answered by nobody", 20_000, () -> ArpReferee.answerers(
                bed.referee().since(System.nanoTime() - 300_000_000L), bed.vip("db")).isEmpty());
        Testbed.waitUntil("n3 reloaded (SIGHUP)", 10_000, () -> bed.log(3).contains("reloaded "));
        Thread.sleep(500);
        long to = System.nanoTime();

        // web: answered by the same MAC in every request round of the reload window.
        List<ArpReferee.Observation> web = new ArrayList<>();
        for (ArpReferee.Observation o : bed.referee().since(from)) {
            if (o.vip().equals(bed.vip("web")) && !o.gratuitous() && o.nanos() - to < 0) {
                web.add(o);
            }
        }
        long maxGapMs = 0;
        for (int k = 1; k < web.size(); k++) {
            maxGapMs = Math.max(maxGapMs, (web.get(k).nanos() - web.get(k - 1).nanos()) / 1_000_000L);
        }
        long windowMs = (to - from) / 1_000_000L;
        System.out.printf("[benchmark] reload of 3 hosts (api added, db removed): web unchanged, %d replies in "
                + "%d ms, longest interval between replies %d ms (requests every 50 ms)%n", web.size(), windowMs,
                maxGapMs);
        assertTrue(web.stream().allMatch(o -> o.mac().equals(bed.mac(webOwner))), "web moved during the reload");
        assertTrue(web.size() >= windowMs / 50 / 2, "web answered in too few rounds: " + web.size());
        assertTrue(maxGapMs < 400, "web went unanswered for " + maxGapMs + " ms during the reload");
        for (int i = 1; i <= 3; i++) {
            assertTrue(!bed.hasAddress(i, bed.vip("db")), "db still configured on h" + i);
        }
    }

    @Test
    @Order(3)
    void aReloadBringingTheFirstIpv6VipAddsTheIp6FenceAndLeavesIpv4Alone() throws Exception {
        java.net.Inet6Address web6 = (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8::100");
        int webOwner = answering("web");
        long from = System.nanoTime();
        try (io.vipd.testbed.NdpReferee ndp = bed.ndpReferee(List.of(web6))) {
            for (int i = 1; i <= 3; i++) {
                assertTrue(!Shell.ok("ip", "netns", "exec", bed.hostNs(i), "nft", "list", "tables").contains("ip6"),
                        "no ip6 table while there is no IPv6 VIP");
                Files.writeString(bed.configPath(i), Files.readString(bed.configPath(i))
                        + "vip.web6.address = 2001:db8::100/64\nvip.web6.interface = eth0\n");
                Shell.Result r = bed.vipctl(i, "reload");
                assertEquals(0, r.exit(), r.output());
            }
            Testbed.waitUntil("web6 advertised by one host", 20_000, () -> ndp.answering(web6) != null);
            int owner = bed.hostOf(ndp.answering(web6));
            String fence = Shell.ok("ip", "netns", "exec", bed.hostNs(owner), "nft", "list", "table", "ip6", "vipd");
            assertTrue(fence.contains("2001:db8::100") && fence.contains("nd-neighbor-advert"), fence);
            Thread.sleep(1_000);
            assertTrue(ArpReferee.dualAnswers(ndp.observations()).isEmpty(), String.valueOf(
                    ArpReferee.dualAnswers(ndp.observations())));
        }
        assertTrue(bed.referee().since(from).stream().filter(o -> o.vip().equals(bed.vip("web")))
                .allMatch(o -> o.mac().equals(bed.mac(webOwner))), "web moved while the IPv6 fence was added");
    }
}
