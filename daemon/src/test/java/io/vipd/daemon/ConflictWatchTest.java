package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.defined;
import static io.vipd.daemon.RoleFixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.NodeFacts;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import io.vipd.host.ArpFrame;
import io.vipd.host.NeighbourTap;
import io.vipd.host.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Which frames are conflicts, one episode per (VIP, MAC), ending when the MAC falls silent; probes due. */
class ConflictWatchTest {
    static final MacAddress N1 = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress N2 = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress ROGUE = MacAddress.parse("52:54:00:aa:bb:cc");

    final ManualClock clock = new ManualClock();
    VipdConfig config = config();
    final ConflictWatch watch = new ConflictWatch(() -> config, clock::nanos, clock::wallMillis,
            new SplittableRandom(7));
    final List<String> hooks = new ArrayList<>();

    {
        watch.onConflict((spec, epoch, mac) -> hooks.add(spec.name() + " epoch " + epoch + " " + mac));
    }

    /** web owned by n1; n1 and n2 reported their eth0 MACs. */
    VipTable table() {
        VipTable t = defined(config, "n1", "n2", "n3");
        t = apply(t, new Command.Assign("web", 0, 0, "n1", 0, "test"));
        t = apply(t, new Command.Observed("n1", Map.of(NodeFacts.macKey("eth0"), N1.toString())));
        return apply(t, new Command.Observed("n2", Map.of(NodeFacts.macKey("eth0"), N2.toString())));
    }

    NeighbourTap.Heard reply(MacAddress from, String vip) {
        ArpFrame f = new ArpFrame(N2, from, ArpFrame.REPLY, from, ip(vip), N2, ip("0.0.0.0"));
        return new NeighbourTap.Heard("eth0", f, clock.nanos());
    }

    /** Lets suspects settle: 2 s later they are judged against the table of then. */
    void settle(VipTable t) {
        clock.advanceMillis(2000);
        watch.tick(t);
    }

    @Test
    void theOwnersMacIsNoConflict() {
        watch.heard(reply(N1, "198.18.0.100"), table());
        assertEquals(List.of(), watch.current("n3"));
        assertEquals(0, watch.sinceHolderHeardMillis("web"));
        clock.advanceMillis(300);
        assertEquals(300, watch.sinceHolderHeardMillis("web"));
    }

    @Test
    void aForeignMacIsOneEpisodeReportedOnceUntilItFallsSilent() {
        VipTable t = table();
        watch.heard(reply(ROGUE, "198.18.0.100"), t);
        clock.advanceMillis(1000);
        watch.heard(reply(ROGUE, "198.18.0.100"), t);
        watch.tick(t);
        assertEquals(List.of(), hooks, "a suspect for 2 s: this node may have applied a change late");
        clock.advanceMillis(1000);
        watch.tick(t);
        watch.heard(reply(ROGUE, "198.18.0.100"), t);
        assertEquals(List.of("web epoch 1 52:54:00:aa:bb:cc"), hooks, "the hook runs once per episode");
        List<NodeFacts.Conflict> now = watch.current("n3");
        assertEquals(List.of(new NodeFacts.Conflict("web", "52:54:00:aa:bb:cc", "n3", ManualClock.START_WALL_MILLIS,
                "reply")), now);
        assertEquals(java.util.Set.of("web"), watch.conflictedVips());
        clock.advanceMillis(4999); // 5 s since last heard at the default 1 s probe interval
        watch.tick(t);
        assertEquals(1, watch.current("n3").size(), "still within the clearing time");
        clock.advanceMillis(1);
        watch.tick(t);
        assertEquals(List.of(), watch.current("n3"), "not heard for 5 s: the episode ends");
        watch.heard(reply(ROGUE, "198.18.0.100"), t);
        settle(t);
        assertEquals(2, hooks.size(), "heard again: a new episode");
    }

    @Test
    void anIpv6VipIsWatchedThroughNeighbourDiscovery() throws Exception {
        config = config("vip.web6.address = 2001:db8::100/64", "vip.web6.interface = eth0");
        java.net.Inet6Address vip = (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8::100");
        VipTable t = apply(table(), new Command.Assign("web6", 0, 0, "n1", 0, "test"));
        java.util.function.Function<byte[], NeighbourTap.Heard> heard = frame ->
                new NeighbourTap.Heard("eth0", io.vipd.host.NdpFrame.decode(frame, frame.length), clock.nanos());
        assertTrue(watch.tick(t).contains(Map.entry("eth0", vip)), "probed like an IPv4 VIP");
        watch.heard(heard.apply(io.vipd.host.NdpFrame.unsolicitedAdvertisement(N1, vip)), t);
        assertEquals(0, watch.sinceHolderHeardMillis("web6"), "the owner's advertisement: the owner answers");
        watch.heard(heard.apply(io.vipd.host.NdpFrame.duplicateAddressProbe(ROGUE, vip)), t);
        settle(t);
        assertEquals(List.of(), watch.current("n3"), "a probe for the VIP claims nothing");
        watch.heard(heard.apply(io.vipd.host.NdpFrame.unsolicitedAdvertisement(ROGUE, vip)), t);
        settle(t);
        assertEquals(List.of(new NodeFacts.Conflict("web6", ROGUE.toString(), "n3", clock.wallMillis() - 2000,
                "neighbour advertisement")), watch.current("n3"));
        assertEquals(List.of("web6 epoch 1 " + ROGUE), hooks);
        assertEquals("MAC " + ROGUE + " (not a member of cluster vipd) answers for it (neighbour advertisement; "
                + "vip.web6.conflict = refuse)", watch.bindRefusal(config.vip("web6").orElseThrow(), t,
                clock.nanos()), "probed long enough; a foreign MAC holds a first bind back as for IPv4");
    }

    @Test
    void anotherMembersMacIsAConflictToo() {
        watch.heard(reply(N2, "198.18.0.100"), table());
        settle(table());
        assertEquals("02:00:00:00:00:02", watch.current("n3").get(0).mac());
    }

    @Test
    void whileThisNodeIsCutOffAMembersAnswerIsNotJudgedButAForeignOneIs() {
        boolean[] current = {false};
        watch.tableCurrentWhile(() -> current[0]);
        // Cut off, this node still sees web on n1; n2 (the new owner, for all it knows) answers: not judged.
        watch.heard(reply(N2, "198.18.0.100"), table());
        watch.heard(reply(ROGUE, "198.18.0.100"), table());
        settle(table());
        assertEquals(List.of(ROGUE.toString()), watch.current("n3").stream().map(NodeFacts.Conflict::mac).toList());
        assertEquals(List.of("web epoch 1 " + ROGUE), hooks);
        // In touch again, with a table that still says n1 while n2 keeps answering: now it is a conflict.
        current[0] = true;
        watch.heard(reply(N2, "198.18.0.100"), table());
        clock.advanceMillis(100);
        watch.tick(table());
        assertEquals(java.util.Set.of(ROGUE.toString(), N2.toString()),
                java.util.Set.copyOf(watch.current("n3").stream().map(NodeFacts.Conflict::mac).toList()));
    }

    @Test
    void thePreviousOwnerInAHandoverMayAnswerUntilItConfirms() {
        VipTable t = apply(table(), new Command.Move("web", 1, "n2", 0, "n3", "root"));
        assertEquals("n1", t.vip("web").releasing());
        watch.heard(reply(N1, "198.18.0.100"), t);
        settle(t);
        assertEquals(List.of(), watch.current("n3"));
    }

    @Test
    void aFrameHeardBeforeThisNodeAppliedTheNewOwnerIsNoConflict() {
        VipTable before = apply(table(), new Command.Leave("n1", 0)); // web unowned here for a moment
        VipTable after = apply(before, new Command.Assign("web", 2, 0, "n2", 0, "failover"));
        watch.heard(reply(N2, "198.18.0.100"), before); // n2 announces before this node applied its assignment
        settle(after);
        assertEquals(List.of(), watch.current("n3"));
        assertEquals(List.of(), hooks);
    }

    @Test
    void aFormerHolderIsForgivenForTwoSecondsOnly() {
        VipTable before = table();
        watch.tick(before); // the watch sees n1 hold web
        VipTable after = apply(before, new Command.Move("web", 1, "n2", 0, "n3", "root"));
        after = apply(after, new Command.Released("web", 2, "n1", "let go"));
        watch.tick(after); // n2 holds now; n1's frames on their way are not a conflict
        clock.advanceMillis(1999);
        watch.heard(reply(N1, "198.18.0.100"), after);
        settle(after);
        assertEquals(List.of(), watch.current("n3"));
        watch.heard(reply(N1, "198.18.0.100"), after); // 4 s after the change: n1 still answers
        settle(after);
        assertEquals(1, watch.current("n3").size(), "n1 answering 2 s after it let go is a conflict");
    }

    @Test
    void whileTheOwnersMacIsUnknownOnlyForeignMacsAreJudged() {
        VipTable t = apply(defined(config, "n1", "n2"), new Command.Assign("web", 0, 0, "n1", 0, "test"));
        t = apply(t, new Command.Observed("n2", Map.of(NodeFacts.macKey("eth0"), N2.toString())));
        for (int s = 0; s < 10; s++) { // heard every second
            watch.heard(reply(N2, "198.18.0.100"), t); // n1 has not reported: n2's MAC is not judged
            watch.heard(reply(ROGUE, "198.18.0.100"), t);
            clock.advanceMillis(1000);
            watch.tick(t);
            if (s < 9) {
                assertEquals(List.of(), watch.current("n3"), "waits up to 10 s for the owner's MAC, at " + s);
            }
        }
        assertEquals(List.of("52:54:00:aa:bb:cc"), watch.current("n3").stream().map(NodeFacts.Conflict::mac)
                .toList(), "then judges the MAC no member has");
    }

    @Test
    void anUnownedVipAnsweredByAnyoneIsAConflict() {
        watch.heard(reply(ROGUE, "198.18.0.101"), table()); // db has no owner
        settle(table());
        assertEquals("db", watch.current("n3").get(0).vip());
    }

    @Test
    void aFloodOfMacsIsBounded() {
        VipTable t = table();
        for (int i = 0; i < 50; i++) {
            watch.heard(reply(new MacAddress(new byte[] {2, 9, 0, 0, 0, (byte) i}), "198.18.0.100"), t);
        }
        settle(t);
        assertEquals(ConflictWatch.MAX_MACS_PER_VIP, watch.current("n3").size());
        assertEquals(50 - ConflictWatch.MAX_MACS_PER_VIP, watch.droppedFor("web"));
        assertEquals(ConflictWatch.MAX_MACS_PER_VIP, hooks.size());
    }

    @Test
    void framesOnAnotherInterfaceThanTheVipsAreNotJudgedThere() {
        ArpFrame f = new ArpFrame(N2, ROGUE, ArpFrame.REPLY, ROGUE, ip("198.18.0.100"), N2, ip("0.0.0.0"));
        watch.heard(new NeighbourTap.Heard("eth1", f, clock.nanos()), table());
        settle(table());
        assertEquals(List.of(), watch.current("n3"));
    }

    @Test
    void classification() {
        java.util.function.Function<java.net.InetAddress, io.vipd.config.VipSpec> vips =
                a -> config.vipAt(a).orElse(null);
        ArpFrame reply = new ArpFrame(N2, ROGUE, ArpFrame.REPLY, ROGUE, ip("198.18.0.100"), N2, ip("198.18.0.9"));
        assertEquals("reply", NeighbourClaims.classify(reply, vips).kind());
        assertEquals("gratuitous ARP", NeighbourClaims.classify(ArpFrame.gratuitous(ROGUE, ip("198.18.0.100")), vips)
                .kind());
        assertEquals("request", NeighbourClaims.classify(ArpFrame.request(ROGUE, ip("198.18.0.100"),
                ip("198.18.0.1")), vips).kind());
        assertNull(NeighbourClaims.classify(ArpFrame.request(ROGUE, ip("0.0.0.0"), ip("198.18.0.100")), vips),
                "a probe for the VIP claims nothing");
        assertNull(NeighbourClaims.classify(ArpFrame.request(ROGUE, ip("198.18.0.50"), ip("198.18.0.1")), vips),
                "not a VIP");
        assertNull(NeighbourClaims.classify(new ArpFrame(N2, ROGUE, 3, ROGUE, ip("198.18.0.100"), N2,
                ip("198.18.0.9")), vips), "RARP and other operations");
        assertNull(NeighbourClaims.classify(new ArpFrame(N2, ROGUE, ArpFrame.REPLY, MacAddress.BROADCAST,
                ip("198.18.0.100"), N2, ip("198.18.0.9")), vips), "broadcast sender");
        assertNull(NeighbourClaims.classify(new ArpFrame(N2, ROGUE, ArpFrame.REPLY, MacAddress.ZERO,
                ip("198.18.0.100"), N2, ip("198.18.0.9")), vips), "zero sender");
        assertNull(NeighbourClaims.classify(new ArpFrame(N2, ROGUE, ArpFrame.REPLY,
                MacAddress.parse("01:00:5e:00:00:01"), ip("198.18.0.100"), N2, ip("198.18.0.9")), vips),
                "multicast sender");
        assertNull(NeighbourClaims.classify(null, vips), "what the decoder refused");
    }

    @Test
    void eachVipIsProbedOncePerIntervalWithJitter() {
        VipTable t = table();
        List<Map.Entry<String, java.net.InetAddress>> first = watch.tick(t);
        assertEquals(2, first.size(), "both VIPs at once on the first tick");
        int probes = 0;
        for (int i = 0; i < 100; i++) { // 10 s in 100 ms ticks
            clock.advanceMillis(100);
            probes += watch.tick(t).size();
        }
        assertTrue(probes >= 16 && probes <= 26, "about one per second per VIP, jittered: " + probes);
    }

    @Test
    void anOwnerThatAnswersNoProbeForThreeSecondsIsSilentFromThisNode() {
        VipTable t = table(); // web held by n1, whose MAC is known
        watch.tick(t);
        clock.advanceMillis(2999);
        assertEquals(Map.of(), watch.silent("n3", t, iface -> true));
        clock.advanceMillis(1);
        assertEquals(Map.of("web", 1L), watch.silent("n3", t, iface -> true), "3 s without an answer");
        assertEquals(Map.of(), watch.silent("n3", t, iface -> false), "not while this node's own link is down");
        assertEquals(Map.of(), watch.silent("n1", t, iface -> true), "the owner does not judge itself");
        watch.heard(reply(N1, "198.18.0.100"), t);
        assertEquals(Map.of(), watch.silent("n3", t, iface -> true), "it answered");
        clock.advanceMillis(3000);
        assertEquals(Map.of("web", 1L), watch.silent("n3", t, iface -> true));
        config = config("watch.probe.interval.ms = 0");
        assertEquals(Map.of(), watch.silent("n3", t, iface -> true), "nothing is judged without probes");
    }

    @Test
    void probingOffSendsNone() {
        config = config("watch.probe.interval.ms = 0");
        assertEquals(List.of(), watch.tick(table()));
    }
}
