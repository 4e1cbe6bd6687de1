package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.host.MacAddress;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.NdpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IPv6 VIPs: web6 (2001:db8::100/64) alone and a dual-stack pair in a group (api at 198.18.0.100, api6 at
 * 2001:db8::101) on three hosts. An NDP referee in the client namespace solicits every IPv6 VIP every 50 ms and
 * records every advertisement; the ARP referee watches the IPv4 one. Steady state, a move, a crash, a SIGSTOP of the
 * owner (the kernel fence's ip6 table stops its neighbour advertisements at its lease's end), a partition of the
 * owner from the other hosts and a drain: never two MACs for one VIP. Then the conflict watch speaking neighbour
 * discovery: an owner whose advertisements are lost is found silent by the others' probes, and a host outside the
 * cluster with an IPv6 VIP configured is seen by every node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ipv6IT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("api").extraConfig(String.join("\n",
            "vip.web6.address = 2001:db8::100/64",
            "vip.web6.interface = eth0",
            "vip.api6.address = 2001:db8::101/64",
            "vip.api6.interface = eth0",
            "group.pair.vips = api, api6",
            "")).manualStart();
    private Testbed bed; // set by the extension
    private NdpReferee ndp;
    private Inet6Address web6;
    private Inet6Address api6;
    private final List<String> figures = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        web6 = (Inet6Address) InetAddress.getByName("2001:db8::100");
        api6 = (Inet6Address) InetAddress.getByName("2001:db8::101");
        ndp = bed.ndpReferee(List.of(web6, api6));
        bed.startAll();
        Testbed.waitUntil("every VIP answered", 60_000, () -> host(web6) != 0 && host(api6) != 0
                && bed.answeringHost("api") != 0);
    }

    @AfterAll
    void stop() throws Exception {
        if (ndp != null) {
            ndp.close();
        }
        System.out.println("[ipv6] " + figures);
    }

    /** The host whose MAC alone answers {@code vip}'s solicitations lately, or 0. */
    private int host(Inet6Address vip) {
        MacAddress mac = ndp.answering(vip);
        return mac == null ? 0 : bed.hostOf(mac);
    }

    private void assertSafe() {
        List<ArpReferee.Observation> all = ndp.observations();
        assertTrue(ArpReferee.dualAnswers(all).isEmpty(), "two MACs advertised one IPv6 VIP: "
                + ArpReferee.dualAnswers(all));
        assertTrue(ArpReferee.dualAnswers(bed.referee().observations()).isEmpty());
    }

    @Test
    @Order(1)
    void ipv6VipsAreAnsweredByOneHostAndCarriedWithoutDad() throws Exception {
        Thread.sleep(2_000);
        assertSafe();
        int owner = host(web6);
        String addresses = Shell.ok("ip", "-n", bed.hostNs(owner), "-6", "addr", "show", "dev", "eth0");
        assertTrue(addresses.contains("2001:db8::100/64") && addresses.contains("nodad"), addresses);
        assertTrue(addresses.matches("(?s).*2001:db8::100/64.*valid_lft \\d+sec.*"),
                "a lifetime, not forever: " + addresses);
        String fence = Shell.ok("ip", "netns", "exec", bed.hostNs(owner), "nft", "list", "table", "ip6", "vipd");
        assertTrue(fence.contains("nd-neighbor-advert") && fence.contains("2001:db8::100"), fence);
        assertEquals(bed.answeringHost("api"), host(api6), "the dual-stack pair on one host");
        Shell.Result status = bed.vipctl(1, "status");
        assertTrue(status.output().contains("2001:db8::100/64"), status.output());
        // The others probe the IPv6 VIPs with duplicate address probes and hear the owner's advertisements: the
        // owner is not found silent (it would have been moved after 3 s), and doctor sees who answers.
        long epoch = bed.vipStatus(1, "web6").get("epoch").asLong();
        Thread.sleep(4_000);
        assertEquals(epoch, bed.vipStatus(1, "web6").get("epoch").asLong(), "web6 did not move: "
                + bed.vipStatus(1, "web6"));
        Shell.Result doctor = bed.vipctl(owner % 3 + 1, "doctor", "web6");
        assertEquals(0, doctor.exit(), doctor.output());
        assertTrue(doctor.output().contains("web6 2001:db8::100/64 on eth0: answered by " + bed.mac(owner) + " (member "
                + bed.node(owner) + " (eth0))"), doctor.output());
    }

    @Test
    @Order(2)
    void aMoveHandsAnIpv6VipOverWithAnAdvertisement() throws Exception {
        int from = host(web6);
        int to = from % 3 + 1;
        long t0 = System.nanoTime();
        Shell.Result move = bed.vipctl(1, "move", "web6", bed.node(to));
        assertEquals(0, move.exit(), move.output());
        Testbed.waitUntil("web6 answered by " + bed.node(to), 10_000, () -> host(web6) == to);
        long firstNew = ndp.since(t0).stream().filter(o -> o.vip().equals(web6) && bed.hostOf(o.mac()) == to)
                .mapToLong(ArpReferee.Observation::nanos).min().orElse(-1);
        long lastOld = ndp.since(t0 - 500_000_000L).stream().filter(o -> o.vip().equals(web6)
                && bed.hostOf(o.mac()) == from && o.nanos() < firstNew).mapToLong(ArpReferee.Observation::nanos)
                .max().orElse(-1);
        assertTrue(ndp.since(t0).stream().anyMatch(o -> o.vip().equals(web6) && o.gratuitous()
                && bed.hostOf(o.mac()) == to), "the new owner sent an unsolicited advertisement");
        figures.add("move web6: " + (firstNew - lastOld) / 1_000_000L + " ms from the old owner's last "
                + "advertisement to the new owner's first (solicitations every 50 ms)");
        assertSafe();
    }

    @Test
    @Order(3)
    void aCrashedOwnersIpv6VipsFailOver() throws Exception {
        int owner = host(web6);
        long t0 = System.nanoTime();
        bed.kill9(owner);
        Testbed.waitUntil("web6 failed over", 15_000, () -> host(web6) != 0 && host(web6) != owner);
        figures.add("crash failover web6: " + (System.nanoTime() - t0) / 1_000_000L + " ms (as the test polled)");
        assertSafe();
        bed.startDaemon(owner);
        Testbed.waitUntil(bed.node(owner) + " back", 60_000, () -> bed.reachableSeenBy(1 == owner ? 2 : 1,
                bed.node(owner)));
    }

    @Test
    @Order(4)
    void aPausedOwnerStopsAdvertisingAtItsLeasesEnd() throws Exception {
        int owner = host(api6);
        assertNotNull(ndp.answering(api6));
        long t0 = System.nanoTime();
        bed.pause(owner);
        try {
            Testbed.waitUntil("api6 failed over from the paused owner", 15_000, () -> host(api6) != 0
                    && host(api6) != owner);
            figures.add("SIGSTOP failover api6: " + (System.nanoTime() - t0) / 1_000_000L + " ms");
            Testbed.waitUntil("api on the same host as api6", 10_000, () -> bed.answeringHost("api") == host(api6));
        } finally {
            bed.resume(owner);
        }
        Thread.sleep(2_000);
        assertSafe(); // the paused owner's kernel stopped answering for api6 when its lease ended
    }

    @Test
    @Order(5)
    void anOwnerCutOffFromTheOtherHostsStopsAdvertisingBeforeTheNewOwnerStarts() throws Exception {
        int owner = host(web6);
        long t0 = System.nanoTime();
        bed.isolate(owner); // Raft traffic to and from the other hosts dropped; the client still reaches it
        try {
            Testbed.waitUntil("web6 failed over from the cut-off owner", 15_000, () -> host(web6) != 0
                    && host(web6) != owner);
            figures.add("partition failover web6: " + (System.nanoTime() - t0) / 1_000_000L + " ms (as polled)");
            Thread.sleep(2_000); // both sides keep running: the cut-off one must stay silent
        } finally {
            bed.heal(owner);
        }
        assertSafe();
        Testbed.waitUntil(bed.node(owner) + " back", 30_000, () -> bed.reachableSeenBy(owner % 3 + 1,
                bed.node(owner)));
    }

    @Test
    @Order(6)
    void aDrainMovesTheIpv6VipsAway() throws Exception {
        int owner = host(web6);
        Shell.Result drain = bed.vipctl(1, "drain", bed.node(owner));
        assertEquals(0, drain.exit(), drain.output());
        Testbed.waitUntil("web6 off the drained host", 10_000, () -> host(web6) != 0 && host(web6) != owner);
        assertEquals(0, bed.vipctl(1, "undrain", bed.node(owner)).exit());
        assertSafe();
    }

    @Test
    @Order(7)
    void anOwnerWhoseNeighbourAdvertisementsAreLostIsFoundSilentAndTheVipMoves() throws Exception {
        int owner = host(web6);
        String ns = bed.hostNs(owner);
        long t0 = System.nanoTime();
        // The owner renews over Raft as before, but its advertisements for web6 never leave the host: the other
        // nodes' duplicate address probes go unanswered.
        Shell.ok("ip", "netns", "exec", ns, "nft", "add", "table", "ip6", "itblock");
        try {
            Shell.ok("ip", "netns", "exec", ns, "nft", "add", "chain", "ip6", "itblock", "out",
                    "{ type filter hook output priority 0 ; }");
            Shell.ok("ip", "netns", "exec", ns, "nft", "add", "rule", "ip6", "itblock", "out", "icmpv6", "type",
                    "nd-neighbor-advert", "@th,64,128", "0x20010db8000000000000000000000100", "drop");
            Testbed.waitUntil("web6 answered by another host", 20_000, () -> host(web6) != 0 && host(web6) != owner);
            figures.add("owner's advertisements lost -> web6 answered by another host after "
                    + (System.nanoTime() - t0) / 1_000_000L + " ms");
            String reason = bed.vipStatus(host(web6), "web6").get("reason").asText();
            assertTrue(reason.contains("owner " + bed.node(owner) + " not answering neighbour discovery (no answer "
                    + "to the probes of"), reason);
        } finally {
            Shell.quietly("ip", "netns", "exec", ns, "nft", "delete", "table", "ip6", "itblock");
        }
        assertSafe();
    }

    @Test
    @Order(8)
    void aHostOutsideTheClusterWithAnIpv6VipConfiguredIsSeenByEveryNode() throws Exception {
        long t0 = System.nanoTime();
        String client = bed.clientMac().toString();
        int owner = host(web6);
        Shell.ok("ip", "-n", bed.clientNs(), "-6", "addr", "add", "2001:db8::100/64", "dev", "eth0", "nodad");
        try {
            Testbed.waitUntil("every node shows the client's MAC answering for web6", 10_000,
                    () -> bed.everyNodeShowsConflict("web6", client));
            figures.add("foreign IPv6 responder on every node's status after " + (System.nanoTime() - t0) / 1_000_000L
                    + " ms");
            String line = bed.conflicts(1, "web6").get(0);
            assertTrue(line.contains("(not a cluster member)") && line.endsWith("as neighbour advertisement"), line);
            Testbed.waitUntil("the owner logs the conflict", 5_000,
                    () -> bed.log(owner).contains("CONFLICT on VIP web6 2001:db8::100: MAC " + client));
            assertTrue(bed.noNodeShowsConflict("api6"), "api6 is untouched");
            Shell.Result doctor = bed.vipctl(owner % 3 + 1, "doctor", "web6");
            assertEquals(1, doctor.exit(), doctor.output());
            assertTrue(doctor.output().contains("PROBLEM (web6): MAC " + client + " answers for web6 2001:db8::100"
                    + " but is not its owner's"), doctor.output());
        } finally {
            Shell.ok("ip", "-n", bed.clientNs(), "-6", "addr", "del", "2001:db8::100/64", "dev", "eth0");
        }
        Testbed.waitUntil("the conflict ends once the address is gone", 20_000, () -> bed.noNodeShowsConflict("web6"));
        List<ArpReferee.Observation> ours = ndp.since(t0).stream().filter(o -> bed.hostOf(o.mac()) != 0).toList();
        assertTrue(ArpReferee.dualAnswers(ours).isEmpty(), "two vipd hosts: " + ArpReferee.dualAnswers(ours));
    }
}
