package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.defined;
import static io.vipd.daemon.RoleFixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.NodeFacts;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import io.vipd.host.ArpFrame;
import io.vipd.host.NeighbourTap;
import io.vipd.host.FakeNeighbourTap;
import io.vipd.host.FakeHostNetwork;
import io.vipd.host.HostAddress;
import io.vipd.host.MacAddress;
import io.vipd.host.NetInterface;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The host seen each second (links, MACs, addresses repaired), probes sent, and held VIPs defended. */
class HostWatchTest {
    final ManualClock clock = new ManualClock();
    VipdConfig config = config();
    final FakeHostNetwork net = new FakeHostNetwork("eth0");
    final FakeNeighbourTap tap = new FakeNeighbourTap();
    final HostActuator host = new HostActuator(net, net.fence(), config.vips(), config.announce(), clock::nanos);
    final ConflictWatch conflicts = new ConflictWatch(() -> config, clock::nanos, clock::wallMillis,
            new SplittableRandom(1));
    /** The table the bind gate sees; table() unless a test sets it. */
    VipTable gateTable;
    final HostWatch watch = new HostWatch(() -> config, net, host, tap, conflicts,
            () -> gateTable == null ? table() : gateTable, clock::nanos);

    VipTable table() {
        return apply(defined(config, "n1", "n2", "n3"), new Command.Assign("web", 0, 0, "n1", 0, "test"));
    }

    /** n1 holds web, probed for a second first (a first bind waits for half a second of probing). */
    void holdWeb() {
        watch.tick(table());
        clock.advanceMillis(1000);
        host.sync(Map.of("web", 1L), clock.nanos() + 700 * RoleFixtures.MS, clock.nanos());
        assertEquals(Set.of("web"), host.heldSpecs().keySet());
        net.actions.clear();
    }

    void syncWeb() {
        host.sync(Map.of("web", 1L), clock.nanos() + 700 * RoleFixtures.MS, clock.nanos());
    }

    @Test
    void aVipIsProbedForHalfASecondBeforeItsFirstBind() {
        syncWeb();
        assertEquals(Map.of("web", "probing it first (500 ms before a first bind)"), host.refusedBinds());
        assertFalse(net.actions.stream().anyMatch(a -> a.startsWith("add")), net.actions.toString());
        watch.tick(table());
        clock.advanceMillis(499);
        syncWeb();
        assertEquals(Set.of(), host.heldSpecs().keySet());
        clock.advanceMillis(1);
        syncWeb();
        assertEquals(Set.of("web"), host.heldSpecs().keySet());
        assertEquals(Map.of(), host.refusedBinds());
    }

    NeighbourTap.Heard rogueClaimsWeb() {
        return new NeighbourTap.Heard("eth0", new ArpFrame(MacAddress.parse("02:00:00:00:00:00"),
                MacAddress.parse("52:54:00:00:00:09"), ArpFrame.REPLY, MacAddress.parse("52:54:00:00:00:09"),
                ip("198.18.0.100"), MacAddress.parse("02:00:00:00:00:00"), ip("0.0.0.0")), clock.nanos());
    }

    @Test
    void aVipAnotherMacAnswersForIsNotTakenUntilItStops() {
        watch.tick(table());
        watch.heard(rogueClaimsWeb(), table());
        clock.advanceMillis(1000);
        syncWeb();
        assertEquals(Map.of("web", "MAC 52:54:00:00:00:09 (not a member of cluster vipd) answers for it (reply; "
                + "vip.web.conflict = refuse)"), host.refusedBinds());
        clock.advanceMillis(5000); // not heard for the clearing time (5 probe rounds)
        watch.tick(table());
        syncWeb();
        assertEquals(Set.of("web"), host.heldSpecs().keySet(), "taken once the other MAC fell silent");
    }

    @Test
    void withConflictWarnTheVipIsTakenAnyway() {
        config = config("vip.web.conflict = warn");
        host.reconfigure(config.vips(), config.announce());
        watch.tick(table());
        watch.heard(rogueClaimsWeb(), table());
        clock.advanceMillis(1000);
        syncWeb();
        assertEquals(Set.of("web"), host.heldSpecs().keySet());
    }

    @Test
    void aMembersMacNeverHoldsABindBack() {
        VipTable t = apply(table(), new Command.Observed("n2", Map.of("mac.eth0", "52:54:00:00:00:09")));
        gateTable = t;
        watch.tick(t);
        watch.heard(rogueClaimsWeb(), t); // n2's MAC: the previous owner of a failover, say
        clock.advanceMillis(1000);
        host.sync(Map.of("web", 1L), clock.nanos() + 700 * RoleFixtures.MS, clock.nanos());
        assertEquals(Set.of("web"), host.heldSpecs().keySet());
    }

    @Test
    void reportsTheVipInterfacesMacAndLinkAndListensThere() {
        watch.tick(table());
        assertEquals(Map.of("mac.eth0", "02:00:00:00:00:00", "link.eth0", "up"), watch.facts("n1"));
        assertEquals(Map.of("eth0", Set.of(ip("198.18.0.100"), ip("198.18.0.101"))), tap.listening);
        assertEquals(List.of("198.18.0.100 eth0", "198.18.0.101 eth0"), tap.probes.stream().sorted().toList(),
                "each VIP probed on the first tick");
    }

    @Test
    void aLinkDownOrWithoutCarrierOrMissingIsReportedAtTheNextAudit() {
        watch.tick(table());
        net.interfaces.set(0, new NetInterface(2, "eth0", MacAddress.parse("02:00:00:00:00:00"), true, false));
        clock.advanceMillis(999);
        watch.tick(table());
        assertEquals("up", watch.facts("n1").get("link.eth0"), "audited once a second");
        clock.advanceMillis(1);
        watch.tick(table());
        assertEquals("no carrier", watch.facts("n1").get("link.eth0"));
        net.interfaces.set(0, new NetInterface(2, "eth0", MacAddress.parse("02:00:00:00:00:00"), false, false));
        clock.advanceMillis(1000);
        watch.tick(table());
        assertEquals("down", watch.facts("n1").get("link.eth0"));
        net.interfaces.clear();
        clock.advanceMillis(1000);
        watch.tick(table());
        assertEquals("missing", watch.facts("n1").get("link.eth0"));
        assertEquals(Map.of(), tap.listening, "nothing to listen on");
    }

    @Test
    void trackedInterfacesAreReportedWithTheVipInterface() {
        config = config("vip.web.track = eth1, bond0");
        net.interfaces.add(new NetInterface(9, "eth1", MacAddress.parse("02:00:00:00:00:09"), true, false));
        watch.tick(table());
        assertEquals(Map.of("mac.eth0", "02:00:00:00:00:00", "link.eth0", "up", "link.eth1", "no carrier",
                "link.bond0", "missing"), watch.facts("n1"));
        assertEquals(Set.of("eth0"), tap.listening.keySet(), "only VIP interfaces are listened on");
    }

    @Test
    void aHeldVipWhoseAddressVanishedIsAddedAgainAndAnnounced() {
        holdWeb();
        net.addresses.clear(); // deleted behind vipd's back
        watch.tick(table());
        assertEquals(List.of("add 198.18.0.100/24 eth0 lifetime 3", "arp 198.18.0.100 eth0"), net.actions);
    }

    @Test
    void theAuditRefreshesPresentAddressesInPlaceOfTheActuator() {
        holdWeb();
        clock.advanceMillis(1500);
        host.sync(Map.of("web", 1L), clock.nanos() + 700 * RoleFixtures.MS, clock.nanos());
        assertFalse(net.actions.contains("refresh 198.18.0.100/24 eth0 lifetime 3"), "not by sync: " + net.actions);
        net.actions.clear(); // the rest of the takeover burst
        watch.tick(table());
        assertTrue(net.actions.contains("refresh 198.18.0.100/24 eth0 lifetime 3"), net.actions.toString());
        assertFalse(net.actions.contains("arp 198.18.0.100 eth0"), "present: not announced again");
    }

    @Test
    void aFlushedFenceIsInstalledAgainAndTheHeldVipLeasedAtOnce() {
        holdWeb();
        clock.advanceMillis(1000);
        syncWeb(); // renewed: leased until 700 ms from now
        net.actions.clear();
        net.tables.clear(); // nft flush ruleset
        net.tables.add("inet filter");
        watch.tick(table());
        assertEquals(List.of("fence install 2", "fence 198.18.0.100 700ms"), net.actions.stream()
                .filter(a -> a.startsWith("fence")).toList(), "installed, then web leased again at once");
        assertTrue(net.tables.containsAll(List.of("arp vipd", "ip vipd")));
        assertEquals(List.of("inet filter"), watch.nftTables(), "what the audit saw");
    }

    @Test
    void aVipAddressThisNodeDoesNotHoldIsRemoved() {
        net.addresses.add(new HostAddress(2, "eth0", ip("198.18.0.101"), 24)); // db, added by hand
        net.addresses.add(new HostAddress(2, "eth0", ip("198.18.0.7"), 24)); // not a VIP: untouched
        watch.tick(table());
        assertEquals(List.of("remove 198.18.0.101/24 eth0"), net.actions);
        assertEquals("198.18.0.101/24 on eth0", watch.facts("n1").get("stray.db"), "told to the group");
        clock.advanceMillis(600_000);
        assertEquals("198.18.0.101/24 on eth0", watch.facts("n1").get("stray.db"), "facts are made once a round");
        watch.tick(table());
        assertEquals(null, watch.facts("n1").get("stray.db"), "for ten minutes");
    }

    @Test
    void aHeldVipInConflictIsDefendedAtMostEveryTenSeconds() {
        holdWeb();
        VipTable t = apply(table(), new Command.Observed("n1", Map.of("mac.eth0", "02:00:00:00:00:00")));
        ArpFrame rogue = new ArpFrame(MacAddress.BROADCAST, MacAddress.parse("52:54:00:00:00:09"), ArpFrame.REQUEST,
                MacAddress.parse("52:54:00:00:00:09"), ip("198.18.0.100"), MacAddress.ZERO, ip("198.18.0.100"));
        watch.heard(new NeighbourTap.Heard("eth0", rogue, clock.nanos()), t);
        watch.tick(t);
        assertFalse(net.actions.contains("arp 198.18.0.100 eth0"), "a suspect is not yet a conflict");
        clock.advanceMillis(2000);
        watch.tick(t);
        assertTrue(net.actions.contains("arp 198.18.0.100 eth0"), net.actions.toString());
        net.actions.clear();
        clock.advanceMillis(5000);
        watch.heard(new NeighbourTap.Heard("eth0", rogue, clock.nanos()), t);
        watch.tick(t);
        assertFalse(net.actions.contains("arp 198.18.0.100 eth0"), "not again within 10 s: " + net.actions);
        clock.advanceMillis(5000);
        watch.heard(new NeighbourTap.Heard("eth0", rogue, clock.nanos()), t);
        watch.tick(t);
        assertTrue(net.actions.contains("arp 198.18.0.100 eth0"), net.actions.toString());
    }

    @Test
    void aConflictReportedByAnotherNodeIsDefendedToo() {
        holdWeb();
        VipTable t = apply(table(), new Command.Observed("n2",
                Map.of(NodeFacts.conflictKey("web", "52:54:00:00:00:09"), "1700000000000 reply")));
        watch.tick(t);
        assertTrue(net.actions.contains("arp 198.18.0.100 eth0"), net.actions.toString());
    }

    @Test
    void aFailingProbeIsLoggedNotThrown() {
        tap.failProbes = true;
        watch.tick(table());
        assertEquals(List.of(), tap.probes);
    }
}
