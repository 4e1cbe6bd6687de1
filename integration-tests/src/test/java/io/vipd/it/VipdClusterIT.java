package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.host.MacAddress;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three real vipd daemons in three host namespaces on one bridge, two VIPs, and the client-side ARP referee.
 * The tests build on each other (steady state, then a crash, then the return of the crashed host).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VipdClusterIT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "db").manualStart();
    private Testbed bed; // set by the extension
    /** Host whose daemon the crash test killed. */
    private int crashed;
    private int newOwner;

    @BeforeAll
    void start() throws Exception {
        // An address someone configured by hand on h3 before vipd started: the daemon must remove it.
        Shell.ok("ip", "-n", bed.hostNs(3), "addr", "add", bed.vip("web").getHostAddress() + "/24", "dev", "eth0");
        bed.startAll();
    }

    private int ownerHost(String vip) {
        return bed.answeringHost(vip);
    }

    private void assertNoDualAnswers(List<ArpReferee.Observation> obs) {
        Map<java.net.InetAddress, List<String>> dual = ArpReferee.dualAnswers(obs);
        assertTrue(dual.isEmpty(), "several MACs answered one VIP in the same request round: " + dual);
    }

    @Test
    @Order(1)
    void eachVipIsAnsweredByExactlyOneMacAndTheyLiveOnDifferentHosts() throws Exception {
        Testbed.waitUntil("both VIPs answered", 60_000, () -> ownerHost("web") != 0 && ownerHost("db") != 0);
        assertTrue(bed.log(3).contains("removed stale address " + bed.vip("web").getHostAddress()),
                "h3's daemon should report removing the hand-configured address:\n" + bed.log(3));

        long from = System.nanoTime();
        long roundsBefore = bed.referee().rounds();
        Thread.sleep(10_000);
        List<ArpReferee.Observation> window = bed.referee().since(from);
        assertTrue(bed.referee().rounds() - roundsBefore >= 100, "referee kept asking every 50 ms");
        assertNoDualAnswers(window);
        List<MacAddress> web = ArpReferee.answerers(window, bed.vip("web"));
        List<MacAddress> db = ArpReferee.answerers(window, bed.vip("db"));
        assertEquals(1, web.size(), "one MAC answers web for 10 s: " + web);
        assertEquals(1, db.size(), "one MAC answers db for 10 s: " + db);
        assertNotEquals(web.get(0), db.get(0), "the two VIPs are spread over two hosts");

        // Only the owner ever sends gratuitous ARP for a VIP.
        for (ArpReferee.Observation o : bed.referee().observations()) {
            if (o.gratuitous()) {
                MacAddress owner = o.vip().equals(bed.vip("web")) ? web.get(0) : db.get(0);
                assertEquals(owner, o.mac(), "gratuitous ARP for " + o.vip() + " from a non-owner");
            }
        }

        // vipctl status --json on every node agrees with what the client sees, and the kernel agrees too.
        for (String vip : List.of("web", "db")) {
            int owner = bed.hostOf(vip.equals("web") ? web.get(0) : db.get(0));
            for (int i = 1; i <= 3; i++) {
                assertEquals(bed.node(owner), bed.ownerSeenBy(i, vip), "node " + i + "'s view of " + vip);
                assertEquals(i == owner, bed.hasAddress(i, bed.vip(vip)), "host " + i + " carries " + vip);
            }
        }
        JsonNode status = bed.status(1);
        assertEquals(3, status.get("nodes").size());
        for (JsonNode n : status.get("nodes")) {
            assertTrue(n.get("reachable").asBoolean(), "every node reachable: " + n);
        }
    }

    @Test
    @Order(2)
    void ownerCrashMovesTheVipAndTheClientReachesTheNewOwner() throws Exception {
        crashed = ownerHost("web");
        assertNotEquals(0, crashed);
        long fault = System.nanoTime();
        bed.kill9(crashed);
        bed.link(crashed, false);

        Testbed.waitUntil("another host answers web", 30_000, () -> {
            int h = ownerHost("web");
            return h != 0 && h != crashed;
        });
        List<ArpReferee.Observation> after = bed.referee().since(fault);
        long firstNew = after.stream()
                .filter(o -> o.vip().equals(bed.vip("web")) && bed.hostOf(o.mac()) != crashed)
                .mapToLong(ArpReferee.Observation::nanos).min().orElseThrow();
        System.out.printf("[benchmark] failover after kill -9 + link down of %s: first ARP from the new owner "
                + "after %d ms%n", bed.node(crashed), (firstNew - fault) / 1_000_000L);
        newOwner = ownerHost("web");

        String reached = null;
        for (int attempt = 0; attempt < 40 && reached == null; attempt++) {
            reached = bed.connect(bed.vip("web"), 500);
        }
        assertEquals(bed.node(newOwner), reached, "the client's TCP connection to the VIP reaches the new owner");
        System.out.printf("[benchmark] first TCP connect through web after %d ms%n",
                (System.nanoTime() - fault) / 1_000_000L);

        // Both VIPs end up on live hosts, and the surviving nodes agree.
        Testbed.waitUntil("db answered by a live host", 30_000, () -> {
            int h = ownerHost("db");
            return h != 0 && h != crashed;
        });
        for (int i = 1; i <= 3; i++) {
            if (i != crashed) {
                assertEquals(bed.node(newOwner), bed.ownerSeenBy(i, "web"));
            }
        }
        assertNoDualAnswers(bed.referee().observations());
    }

    @Test
    @Order(3)
    void returningHostRejoinsWithoutTakingTheVipBack() throws Exception {
        Assumptions.assumeTrue(crashed != 0, "needs the crash test");
        // The crashed host still has the VIP address from before the crash (kill -9 cleans nothing up).
        assertTrue(bed.hasAddress(crashed, bed.vip("web")), "stale address left by kill -9");
        bed.startDaemon(crashed);
        Testbed.waitUntil("restarted daemon answers", 30_000, () -> bed.status(crashed) != null);
        assertTrue(!bed.hasAddress(crashed, bed.vip("web")), "restarted daemon removed its stale address");
        long back = System.nanoTime();
        bed.link(crashed, true);
        Testbed.waitUntil("returning node renews again", 30_000,
                () -> bed.reachableSeenBy(newOwner, bed.node(crashed)));
        Testbed.waitUntil("returning node learned the table", 20_000,
                () -> bed.node(newOwner).equals(bed.ownerSeenBy(crashed, "web")));
        Thread.sleep(5_000);
        List<ArpReferee.Observation> since = bed.referee().since(back);
        assertEquals(List.of(bed.mac(newOwner)), ArpReferee.answerers(since, bed.vip("web")),
                "web stays with the new owner after the old one returns");
        assertNoDualAnswers(bed.referee().observations());
        for (int i = 1; i <= 3; i++) {
            assertEquals(i == newOwner, bed.hasAddress(i, bed.vip("web")), "host " + i + " carries web");
        }
    }

    @Test
    @Order(4)
    void sigtermReleasesTheAddressBeforeExiting() throws Exception {
        int owner = ownerHost("db");
        assertNotEquals(0, owner);
        bed.terminate(owner);
        assertTrue(!bed.hasAddress(owner, bed.vip("db")), "SIGTERM removed the address");
        Testbed.waitUntil("db moved after the hand-over", 20_000, () -> {
            int h = ownerHost("db");
            return h != 0 && h != owner;
        });
        assertNoDualAnswers(bed.referee().observations());
    }
}
