package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.defined;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import io.vipd.control.DoctorReport;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** vipctl doctor's judgement, from inputs as {@link DoctorRun} gathers them (this node is n1). */
class DoctorTest {
    static final String N1 = "02:00:00:00:00:01";
    static final String N2 = "02:00:00:00:00:02";
    static final String N3 = "02:00:00:00:00:03";
    static final String ROGUE = "52:54:00:aa:bb:cc";
    VipdConfig config = config();
    String leader = "n1";
    List<String> tables = List.of("arp vipd", "ip vipd", "inet filter");

    /** web owned by n2, db by n1; every node reported its eth0 MAC and link up. */
    VipTable table() {
        VipTable t = defined(config, "n1", "n2", "n3");
        t = apply(t, new Command.Assign("web", 0, 0, "n2", 0, "least loaded"));
        t = apply(t, new Command.Assign("db", 0, 0, "n1", 0, "least loaded"));
        t = apply(t, new Command.Observed("n1", Map.of("mac.eth0", N1, "link.eth0", "up")));
        t = apply(t, new Command.Observed("n2", Map.of("mac.eth0", N2, "link.eth0", "up")));
        return apply(t, new Command.Observed("n3", Map.of("mac.eth0", N3, "link.eth0", "up")));
    }

    DoctorReport examine(VipTable t, Map<String, Set<String>> heard, List<String> others, int arpIgnore,
                         int addressed) {
        return Doctor.examine(new Doctor.Inputs(config, t, List.of("db", "web"), heard, Set.of("db"), Map.of(),
                List.of(), Map.of("eth0", arpIgnore), addressed, others, leader, tables));
    }

    @Test
    void aCleanClusterHasNoFindingAndSaysWhatItChecked() {
        DoctorReport r = examine(table(), Map.of("web", Set.of(N2)), List.of(), 0, 1);
        assertEquals(List.of(), r.findings());
        assertTrue(r.healthy());
        assertTrue(r.checked().contains("web 198.18.0.100/24 on eth0: answered by " + N2 + " (member n2 (eth0)); "
                + "owner n2 at " + N2), r.checked().toString());
        assertTrue(r.checked().contains("db 198.18.0.101/24 on eth0: answered by this node (holds it); owner n1 at "
                + N1), r.checked().toString());
        assertTrue(r.checked().stream().anyMatch(c -> c.startsWith("timing: lease 700 ms")), r.checked().toString());
        assertFalse(r.notChecked().isEmpty(), "it says what it could not check");
    }

    @Test
    void aForeignMacIsAProblemNamingWhoItIsAndTheFix() {
        DoctorReport r = examine(table(), Map.of("web", Set.of(N2, ROGUE)), List.of(), 0, 1);
        assertFalse(r.healthy());
        DoctorReport.Finding f = r.findings().get(0);
        assertEquals("web", f.vip());
        assertEquals("MAC " + ROGUE + " answers for web 198.18.0.100 but is not its owner's (n2, " + N2 + "); it is "
                + "not a member of cluster vipd", f.what());
        assertTrue(f.fix().startsWith("find the host by its MAC"), f.fix());
    }

    @Test
    void anotherMembersMacSaysToLookOnThatMember() {
        DoctorReport r = examine(table(), Map.of("web", Set.of(N2, N3)), List.of(), 0, 1);
        assertTrue(r.findings().get(0).what().endsWith("it is member n3 (eth0)"), r.findings().toString());
        assertTrue(r.findings().get(0).fix().startsWith("run vipctl doctor on n3"), r.findings().toString());
    }

    @Test
    void anOwnerThatDoesNotAnswerIsAProblem() {
        DoctorReport r = examine(table(), Map.of(), List.of(), 0, 1);
        assertEquals(List.of("the owner n2 (" + N2 + ") did not answer this node's ARP probes for 198.18.0.100"),
                r.findings().stream().map(DoctorReport.Finding::what).toList());
    }

    @Test
    void aVipWithoutOwnerALinkDownAndADefinitionMismatchAreReported() {
        VipTable t = apply(table(), new Command.Observed("n3", Map.of("mac.eth0", N3, "link.eth0", "no carrier")));
        t = apply(t, new Command.Definitions("n2", Map.of("web", "198.18.0.100/24", "db", "198.18.0.111/24")));
        t = apply(t, new Command.Leave("n2", 0)); // web has no owner now
        DoctorReport r = examine(t, Map.of(), List.of(), 0, 1);
        List<String> what = r.findings().stream().map(DoctorReport.Finding::what).toList();
        assertTrue(what.stream().anyMatch(w -> w.startsWith("web has no owner: released by n2")), what.toString());
        assertTrue(what.contains("n3's link eth0 no carrier: it is not given db"), what.toString());
        assertTrue(what.contains("n2 defines db as 198.18.0.111/24, this node as 198.18.0.101/24; it is never given "
                + "db"), what.toString());
        assertEquals(DoctorReport.PROBLEM, r.findings().get(0).severity(), "problems first");
    }

    @Test
    void anotherVipdsOrKeepalivedsNftablesTablesAreProblems() {
        tables = List.of("arp vipd", "ip vipd", "inet vipd", "ip keepalived", "inet filter");
        DoctorReport r = examine(table(), Map.of("web", Set.of(N2)), List.of(), 0, 1);
        List<String> what = r.findings().stream().map(DoctorReport.Finding::what).toList();
        assertEquals(List.of("nftables table 'inet vipd' belongs to another vipd (another install or version): its "
                + "rules may answer or drop ARP for the VIPs", "nftables table 'ip keepalived' belongs to keepalived: "
                + "its rules may answer or drop ARP for the VIPs"), what);
        tables = List.of("inet filter");
        assertTrue(examine(table(), Map.of("web", Set.of(N2)), List.of(), 0, 1).findings().get(0).what()
                .startsWith("vipd's own fence tables are missing"));
        tables = List.of("arp vipd", "ip vipd", "ip6 vipd");
        assertEquals(List.of(), examine(table(), Map.of("web", Set.of(N2)), List.of(), 0, 1).findings(),
                "ip6 vipd is vipd's own, left from IPv6 VIPs a reload removed");
    }

    @Test
    void withIpv6VipsTheIp6TableIsNeeded() {
        config = RoleFixtures.config("vip.web6.address = 2001:db8::100/64", "vip.web6.interface = eth0");
        tables = List.of("arp vipd", "ip vipd");
        assertTrue(examine(table(), Map.of("web", Set.of(N2)), List.of(), 0, 1).findings().stream()
                .anyMatch(f -> f.what().startsWith("vipd's own fence tables are missing (arp vipd, ip vipd, ip6 vipd)")));
    }

    @Test
    void aStrayAddressAnotherMemberRemovedIsReportedFromAnyNode() {
        VipTable t = apply(table(), new Command.Observed("n3", Map.of("mac.eth0", N3, "link.eth0", "up",
                "stray.web", "198.18.0.100/24 on eth0")));
        DoctorReport r = examine(t, Map.of("web", Set.of(N2)), List.of(), 0, 1);
        assertEquals(List.of("n3 found web's address 198.18.0.100/24 on eth0 without holding web and removed it "
                + "(within the last ten minutes)"), r.findings().stream().map(DoctorReport.Finding::what).toList());
        assertTrue(r.healthy(), "a warning: vipd repaired it");
    }

    @Test
    void aLeaderThatDoesNotDefineAVipIsAProblem() {
        VipTable t = apply(table(), new Command.Definitions("n2", Map.of("web", "198.18.0.100/24")));
        leader = "n2";
        DoctorReport r = examine(t, Map.of("web", Set.of(N2)), List.of(), 0, 1);
        assertEquals(List.of("the Raft leader n2 does not define db: only the leader places VIPs, so db is not "
                + "placed or moved while n2 leads", "n2 defines db as nothing, this node as 198.18.0.101/24; it is "
                + "never given db"), r.findings().stream().map(DoctorReport.Finding::what).toList());
        assertTrue(r.findings().get(0).fix().contains("run vipctl lead on a node that defines db"));
    }

    @Test
    void anotherVipManagerOnThisHostIsAProblemAndArpFluxAWarning() {
        DoctorReport r = examine(table(), Map.of("web", Set.of(N2)), List.of("keepalived (pid 42)"), 0, 2);
        List<String> what = r.findings().stream().map(DoctorReport.Finding::what).toList();
        assertEquals("keepalived (pid 42) runs on this host: two programs manage floating addresses here",
                what.get(0));
        assertTrue(what.get(1).startsWith("arp_ignore is 0 and this host has 2 addressed interfaces"), what.get(1));
        assertEquals(DoctorReport.WARNING, r.findings().get(1).severity());
        assertTrue(examine(table(), Map.of("web", Set.of(N2)), List.of(), 1, 2).healthy());
        assertEquals(List.of(), examine(table(), Map.of("web", Set.of(N2)), List.of(), 1, 2).findings(),
                "arp_ignore 1: no warning");
    }
}
