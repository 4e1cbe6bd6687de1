package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.host.MacAddress;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HA pair: two VIP hosts (h1, h2) and a witness (h3, {@code witnesses = n3}) that votes but holds no VIP, on a
 * subnet of its own (198.18.203.0/24) behind a router: it is not on the VIPs' segment at all. The witness is never
 * given a VIP and touches nothing on its host; losing it keeps both VIPs where they are; losing a
 * VIP host fails its VIPs over to the other one. The client's ARP referee watches throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WitnessIT {
    private static final int WITNESS = 3;

    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "db").extraConfig("witnesses = n3\n")
            .routed(WITNESS).manualStart();
    private Testbed bed; // set by the extension

    @BeforeAll
    void start() throws Exception {
        bed.withoutNetCapabilities(WITNESS); // a witness needs neither
        bed.startAll();
        Testbed.waitUntil("both VIPs answered", 60_000, () -> bed.answeringHost("web") != 0
                && bed.answeringHost("db") != 0);
    }

    private void assertWitnessNeverAnswered() {
        MacAddress witness = bed.mac(WITNESS);
        List<ArpReferee.Observation> all = bed.referee().observations();
        assertTrue(all.stream().noneMatch(o -> o.mac().equals(witness)), "the witness answered ARP for a VIP");
        assertTrue(ArpReferee.dualAnswers(all).isEmpty(), "two MACs answered one VIP: " + ArpReferee.dualAnswers(all));
    }

    private boolean reachableSeenBy(int observer, int node) {
        return bed.reachableSeenBy(observer, bed.node(node));
    }

    @Test
    @Order(1)
    void theWitnessHoldsNoVipAndTouchesNothingOnItsHost() throws Exception {
        Thread.sleep(3_000);
        assertNotEquals(WITNESS, bed.answeringHost("web"));
        assertNotEquals(WITNESS, bed.answeringHost("db"));
        assertWitnessNeverAnswered();
        assertTrue(bed.log(WITNESS).contains("(a witness: votes, holds no VIP, touches nothing on this host)"),
                bed.log(WITNESS));
        assertFalse(bed.log(WITNESS).contains("acquired"), bed.log(WITNESS));
        String capabilities = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + bed.pid(WITNESS)
                + "/status")).stream().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow();
        long effective = Long.parseUnsignedLong(capabilities.substring("CapEff:".length()).trim(), 16);
        assertEquals(0, effective & ((1L << 12) | (1L << 13)), "the witness runs without CAP_NET_ADMIN and "
                + "CAP_NET_RAW: " + capabilities);
        Shell.Result tables = Shell.run(List.of("ip", "netns", "exec", bed.hostNs(WITNESS), "nft", "list", "tables"),
                10_000);
        assertEquals("", tables.output().trim(), "no nftables fence on the witness's host");
        Shell.Result status = bed.vipctl(1, "status");
        assertTrue(status.output().contains("n3 gets no VIPs: a witness (witnesses): it votes and never holds a VIP"),
                status.output());
        Shell.Result doctor = bed.vipctl(WITNESS, "doctor");
        assertNotEquals(0, doctor.exit());
        assertTrue(doctor.output().contains("n3 is a witness (witnesses): it is on no VIP segment"), doctor.output());
        Shell.Result lead = bed.vipctl(WITNESS, "lead");
        assertNotEquals(0, lead.exit());
        assertTrue(lead.output().contains("n3 is a witness (witnesses): it leads only when no VIP host can"),
                lead.output());
    }

    @Test
    @Order(2)
    void losingTheWitnessKeepsEveryVipWhereItIs() throws Exception {
        int web = bed.answeringHost("web");
        int db = bed.answeringHost("db");
        long fault = System.nanoTime();
        bed.kill9(WITNESS);
        bed.link(WITNESS, false);
        Thread.sleep(5_000);
        List<ArpReferee.Observation> window = bed.referee().since(fault);
        assertEquals(List.of(bed.mac(web)), ArpReferee.answerers(window, bed.vip("web")),
                "web answered by its owner alone while the witness is gone");
        assertEquals(List.of(bed.mac(db)), ArpReferee.answerers(window, bed.vip("db")));
        bed.startDaemon(WITNESS);
        bed.link(WITNESS, true);
        Testbed.waitUntil("the witness renews again", 30_000, () -> reachableSeenBy(1, WITNESS)
                && reachableSeenBy(2, WITNESS));
        assertWitnessNeverAnswered();
    }

    @Test
    @Order(3)
    void losingAVipHostFailsItsVipsOverToTheOtherOne() throws Exception {
        int crashed = bed.answeringHost("web");
        int other = crashed == 1 ? 2 : 1;
        long fault = System.nanoTime();
        bed.kill9(crashed);
        bed.link(crashed, false);
        Testbed.waitUntil("the other VIP host answers both VIPs", 30_000, () -> bed.answeringHost("web") == other
                && bed.answeringHost("db") == other);
        long first = bed.referee().since(fault).stream()
                .filter(o -> o.vip().equals(bed.vip("web")) && o.mac().equals(bed.mac(other)))
                .mapToLong(ArpReferee.Observation::nanos).min().orElseThrow();
        System.out.printf("[benchmark] 2 hosts + witness: failover after kill -9 + link down of %s: first ARP "
                + "from %s after %d ms%n", bed.node(crashed), bed.node(other), (first - fault) / 1_000_000L);
        bed.startDaemon(crashed);
        bed.link(crashed, true);
        Testbed.waitUntil("the crashed host renews again", 30_000, () -> reachableSeenBy(other, crashed));
        Thread.sleep(2_000);
        assertEquals(other, bed.answeringHost("web"), "a returning host takes nothing back by itself");
        assertWitnessNeverAnswered();
    }

    @Test
    @Order(4)
    void withoutAMajorityTheSurvivorAnswersForNothingAndSaysWhy() throws Exception {
        int survivor = bed.answeringHost("web");
        int lost = survivor == 1 ? 2 : 1;
        bed.kill9(WITNESS);
        bed.link(WITNESS, false);
        bed.kill9(lost);
        bed.link(lost, false);
        long cut = System.nanoTime();
        Testbed.waitUntil("the survivor stops answering", 10_000, () -> bed.answeringHost("web") == 0
                && bed.answeringHost("db") == 0);
        System.out.printf("[benchmark] 2 hosts + witness, two of three lost: the survivor went dark after %d ms%n",
                (System.nanoTime() - cut) / 1_000_000L);
        long dark = System.nanoTime();
        Thread.sleep(3_000);
        assertEquals(List.of(), bed.referee().since(dark).stream().map(ArpReferee.Observation::mac).distinct()
                .toList(), "nobody answers without a majority");
        assertTrue(bed.log(survivor).contains("without one, no host answers rather than two"), bed.log(survivor));
        assertFalse(bed.hasAddress(survivor, bed.vip("web")), "the survivor removed its addresses");
        bed.startDaemon(WITNESS);
        bed.link(WITNESS, true);
        Testbed.waitUntil("a majority again: both VIPs answered", 30_000, () -> bed.answeringHost("web") != 0
                && bed.answeringHost("db") != 0);
        bed.startDaemon(lost);
        bed.link(lost, true);
        Testbed.waitUntil("every member renews", 30_000, () -> reachableSeenBy(survivor, lost)
                && reachableSeenBy(survivor, WITNESS));
        assertWitnessNeverAnswered();
    }
}
