package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cluster referees itself (issue 14), one test per cause: a host outside the cluster with the VIP configured,
 * a raw-socket responder claiming a VIP, an address added by hand on a member, an owner's address deleted behind
 * vipd's back. Each asserts detection (or repair) within a bound, what status shows, and that no vipd host ever
 * answers twice. Detection times are printed as benchmark figures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConflictIT {
    private static final Path HOOK_DIR = Path.of("/tmp", "vipd-conflict-it-" + ProcessHandle.current().pid());
    private static final Path HOOK_LOG = HOOK_DIR.resolve("conflicts.log");

    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "db").extraConfig(ConflictIT::hook);
    private Testbed bed; // set by the extension

    /** notify.conflict: a script appending its arguments to a file. */
    private static String hook() throws IOException {
        Files.createDirectories(HOOK_DIR);
        Path script = HOOK_DIR.resolve("on-conflict");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> " + HOOK_LOG + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return "notify.conflict = " + script + "\n";
    }

    @AfterAll
    void removeHook() throws IOException {
        Files.deleteIfExists(HOOK_LOG);
        Files.deleteIfExists(HOOK_DIR.resolve("on-conflict"));
        Files.deleteIfExists(HOOK_DIR);
    }

    @BeforeAll
    void waitForOwners() {
        Testbed.waitUntil("both VIPs answered", 60_000,
                () -> bed.answeringHost("web") != 0 && bed.answeringHost("db") != 0);
    }

    private JsonNode vipStatus(int i, String vip) {
        return bed.vipStatus(i, vip);
    }

    private List<String> conflicts(int i, String vip) {
        return bed.conflicts(i, vip);
    }

    private boolean everyNodeShows(String vip, String mac) {
        return bed.everyNodeShowsConflict(vip, mac);
    }

    private boolean noNodeShowsAConflict(String vip) {
        return bed.noNodeShowsConflict(vip);
    }

    /** No two vipd hosts answered one VIP in one referee round (a foreign MAC is what the test added). */
    private void assertNoVipdHostAnsweredTwice(long from, String what) {
        List<ArpReferee.Observation> ours = bed.referee().since(from).stream()
                .filter(o -> bed.hostOf(o.mac()) != 0).toList();
        assertTrue(ArpReferee.dualAnswers(ours).isEmpty(), what + ": two vipd hosts answered one VIP: "
                + ArpReferee.dualAnswers(ours));
    }

    @Test
    @Order(1)
    void statusNamesTheOwnersMac() {
        int owner = bed.answeringHost("web");
        for (int i = 1; i <= bed.hostCount(); i++) {
            JsonNode v = vipStatus(i, "web");
            assertEquals(bed.mac(owner).toString(), v.get("ownerMac").asText(), "node " + i + ": " + v);
            assertTrue(v.get("conflicts").isEmpty(), "a clean cluster has no conflict: " + v);
        }
    }

    @Test
    @Order(1)
    void doctorOnACleanClusterFindsNothingAndSaysWhatItChecked() throws Exception {
        int owner = bed.answeringHost("web");
        int other = owner % bed.hostCount() + 1;
        Shell.Result r = bed.vipctl(other, "doctor");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().startsWith("vipctl doctor on " + bed.node(other) + ": no problem found"), r.output());
        assertTrue(r.output().contains("web 198.18.0.100/24 on eth0: answered by " + bed.mac(owner) + " (member "
                + bed.node(owner) + " (eth0)); owner " + bed.node(owner) + " at " + bed.mac(owner)), r.output());
        assertTrue(r.output().contains("other VIP managers on this host (keepalived, ucarp, a second vipd): none"),
                "the other hosts' daemons run in other namespaces: " + r.output());
        assertTrue(r.output().contains("not checked:"), r.output());
        Shell.Result unknown = bed.vipctl(other, "doctor", "mail");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.output().contains("unknown VIP 'mail' (configured: db, web)"), unknown.output());
    }

    @Test
    @Order(2)
    void aHostOutsideTheClusterWithTheVipConfiguredIsSeenByEveryNode() throws Exception {
        long from = System.nanoTime();
        String client = bed.clientMac().toString();
        String web = bed.vip("web").getHostAddress();
        Shell.ok("ip", "-n", bed.clientNs(), "addr", "add", web + "/24", "dev", "eth0");
        try {
            Testbed.waitUntil("every node shows the client's MAC answering for web", 10_000,
                    () -> everyNodeShows("web", client));
            System.out.printf("[benchmark] conflict (static address outside the cluster) on every node's status "
                    + "after %d ms%n", (System.nanoTime() - from) / 1_000_000L);
            String line = conflicts(1, "web").get(0);
            assertTrue(line.contains("(not a cluster member)") && line.endsWith("as reply"), line);
            int owner = bed.answeringHost("web");
            // every status shows it once any node reported it; the owner hears it itself at its next probe
            Testbed.waitUntil("the owner logs the conflict", 5_000,
                    () -> bed.log(owner).contains("CONFLICT on VIP web " + web + ": MAC " + client));
            assertTrue(bed.log(owner).contains("is not a member of cluster"), "and says whose MAC it is not");
            Testbed.waitUntil("the conflict hook ran", 10_000, () -> hookLines().stream()
                    .anyMatch(l -> l.startsWith("web " + web + "/24 CONFLICT ") && l.endsWith(" " + client)));
            Testbed.waitUntil("the owner re-announced web", 5_000,
                    () -> bed.log(owner).contains("VIP web: another MAC answers for it; announced it again"));
            assertTrue(noNodeShowsAConflict("db"), "db is untouched");
            Shell.Result doctor = bed.vipctl(owner % bed.hostCount() + 1, "doctor", "web");
            assertEquals(1, doctor.exit(), doctor.output());
            assertTrue(doctor.output().contains("PROBLEM (web): MAC " + client + " answers for web " + web
                    + " but is not its owner's"), doctor.output());
            assertTrue(doctor.output().contains("it is not a member of cluster vipd"), doctor.output());
            assertTrue(doctor.output().contains("fix: find the host by its MAC"), doctor.output());
        } finally {
            Shell.ok("ip", "-n", bed.clientNs(), "addr", "del", web + "/24", "dev", "eth0");
        }
        long removed = System.nanoTime();
        Testbed.waitUntil("the conflict ends once the address is gone", 20_000, () -> noNodeShowsAConflict("web"));
        System.out.printf("[benchmark] conflict cleared %d ms after the address was removed%n",
                (System.nanoTime() - removed) / 1_000_000L);
        assertNoVipdHostAnsweredTwice(from, "static address outside the cluster");
    }

    private static List<String> hookLines() {
        try {
            return Files.exists(HOOK_LOG) ? Files.readAllLines(HOOK_LOG) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    @Order(3)
    void aRawSocketResponderClaimingAVipIsSeenAsGratuitousArp() throws Exception {
        long from = System.nanoTime();
        String fake = "52:54:00:de:ad:01";
        String db = bed.vip("db").getHostAddress();
        Path log = bed.workDir().resolve("claimer.log");
        Process claimer = bed.spawnInClient(javaCommand("io.vipd.testbed.ArpClaimer", "eth0", db, fake, "4", "200"),
                log);
        Testbed.waitUntil("every node shows the fake MAC claiming db", 10_000, () -> everyNodeShows("db", fake));
        System.out.printf("[benchmark] conflict (raw gratuitous ARP) on every node's status after %d ms%n",
                (System.nanoTime() - from) / 1_000_000L);
        assertTrue(conflicts(2, "db").get(0).endsWith("as gratuitous ARP"), conflicts(2, "db").toString());
        assertTrue(claimer.waitFor(30, TimeUnit.SECONDS), "the claimer ends");
        assertTrue(Files.readString(log).contains("claimer: sent="), Files.readString(log));
        Testbed.waitUntil("the conflict ends when the claims stop", 20_000, () -> noNodeShowsAConflict("db"));
        assertNoVipdHostAnsweredTwice(from, "raw-socket responder");
        assertEquals(1, ArpReferee.answerers(bed.referee().since(from).stream()
                .filter(o -> bed.hostOf(o.mac()) != 0).toList(), bed.vip("db")).size(), "db stayed on one host");
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    @Order(4)
    void aVipAddressAddedByHandOnAMemberThatDoesNotOwnItIsRemoved() throws Exception {
        long from = System.nanoTime();
        int owner = bed.answeringHost("web");
        int other = owner % bed.hostCount() + 1;
        String web = bed.vip("web").getHostAddress();
        Shell.ok("ip", "-n", bed.hostNs(other), "addr", "add", web + "/24", "dev", "eth0");
        long added = System.nanoTime();
        Testbed.waitUntil("the hand-added address is removed", 5_000, () -> {
            try {
                return !bed.hasAddress(other, bed.vip("web"));
            } catch (IOException e) {
                return false;
            }
        });
        System.out.printf("[benchmark] hand-added VIP address on a non-owner removed after %d ms%n",
                (System.nanoTime() - added) / 1_000_000L);
        assertTrue(bed.log(other).contains("removed " + web + "/24 from eth0: it is VIP web, which this node does "
                + "not hold"), "the member says what it removed and why");
        assertTrue(bed.hasAddress(owner, bed.vip("web")), "the owner keeps it");
        assertNoVipdHostAnsweredTwice(from, "address added by hand on a member");
    }

    @Test
    @Order(5)
    void anOwnersAddressDeletedBehindItsBackIsRepaired() throws Exception {
        long from = System.nanoTime();
        int owner = bed.answeringHost("web");
        String web = bed.vip("web").getHostAddress();
        Shell.ok("ip", "-n", bed.hostNs(owner), "addr", "del", web + "/24", "dev", "eth0");
        long deleted = System.nanoTime();
        Testbed.waitUntil("the owner adds its address again", 5_000, () -> {
            try {
                return bed.hasAddress(owner, bed.vip("web"));
            } catch (IOException e) {
                return false;
            }
        });
        System.out.printf("[benchmark] deleted VIP address repaired on its owner after %d ms%n",
                (System.nanoTime() - deleted) / 1_000_000L);
        assertTrue(bed.log(owner).contains("VIP web " + web + "/24: its address was removed from eth0 behind vipd's "
                + "back"), "the owner says what it repaired");
        Testbed.waitUntil("web answered by its owner again", 5_000, () -> bed.answeringHost("web") == owner);
        assertNoVipdHostAnsweredTwice(from, "owner's address deleted");
        assertFalse(bed.referee().since(from).stream().anyMatch(o -> o.vip().equals(bed.vip("web"))
                && bed.hostOf(o.mac()) != owner && bed.hostOf(o.mac()) != 0), "no other host answered web");
    }

    @Test
    @Order(6)
    void aSecondClusterWithAnOverlappingVipDoesNotTakeIt() throws Exception {
        long from = System.nanoTime();
        int owner = bed.answeringHost("web");
        Path dir = bed.workDir().resolve("other-cluster");
        Files.createDirectories(dir);
        Path conf = dir.resolve("vipd.conf");
        Path socket = dir.resolve("vipd.sock");
        // one node in the client's namespace: its own cluster, defining web as the first cluster does
        Files.writeString(conf, "node.id = other1\ncluster.name = other\ndata.dir = " + dir.resolve("data")
                + "\ncontrol.socket = " + socket + "\ninsecure = true\npeer.other1 = 198.18.0.250:"
                + Testbed.RAFT_PORT + "\nvip.web.address = " + bed.vip("web").getHostAddress()
                + "/24\nvip.web.interface = eth0\n");
        List<String> cmd = new ArrayList<>(Testbed.javaCommand(Testbed.vipdJarFromBuild(), null));
        cmd.addAll(List.of("-c", conf.toString()));
        Path log = dir.resolve("vipd.log");
        Process other = bed.spawnInClient(cmd, log);
        try {
            Testbed.waitUntil("the other cluster places web on its node and refuses to take it", 60_000, () -> {
                try {
                    return Files.readString(log).contains("not taking VIP web " + bed.vip("web").getHostAddress()
                            + "/24 yet: MAC " + bed.mac(owner) + " (not a member of cluster other) answers for it");
                } catch (IOException e) {
                    return false;
                }
            });
            long refusedAt = System.nanoTime();
            JsonNode status = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    io.vipd.control.ControlClient.request(socket, "status", 3000));
            JsonNode web = status.get("vips").get(0);
            assertEquals("other1", web.get("owner").asText(), web.toString());
            assertTrue(web.get("lease").asText().startsWith("not taken: MAC " + bed.mac(owner)), web.toString());
            Testbed.waitUntil("a few more seconds", 5_000, () -> System.nanoTime() - refusedAt > 3_000_000_000L);
            assertTrue(other.isAlive(), "the other cluster's daemon keeps running");
            List<ArpReferee.Observation> window = bed.referee().since(from);
            assertEquals(List.of(bed.mac(owner)), ArpReferee.answerers(window, bed.vip("web")),
                    "only the first cluster's owner answered web");
            assertTrue(ArpReferee.dualAnswers(window).isEmpty());
        } finally {
            Testbed.killTree(other);
        }
    }

    @Test
    @Order(7)
    void anOwnerWhoseArpIsLostIsFoundSilentAndTheVipMoves() throws Exception {
        int owner = bed.answeringHost("web");
        String web = bed.vip("web").getHostAddress();
        String ns = bed.hostNs(owner);
        long from = System.nanoTime();
        // The owner renews over Raft as before, but its ARP answers for web never leave the host.
        Shell.ok("ip", "netns", "exec", ns, "nft", "add", "table", "arp", "itblock");
        try {
            Shell.ok("ip", "netns", "exec", ns, "nft", "add", "chain", "arp", "itblock", "out",
                    "{ type filter hook output priority 0 ; }");
            Shell.ok("ip", "netns", "exec", ns, "nft", "add", "rule", "arp", "itblock", "out", "arp", "saddr", "ip",
                    web, "drop");
            Testbed.waitUntil("web answered by another host", 15_000, () -> {
                int now = bed.answeringHost("web");
                return now != 0 && now != owner;
            });
            System.out.printf("[benchmark] owner's ARP lost -> VIP answered by another host after %d ms%n",
                    (System.nanoTime() - from) / 1_000_000L);
            int next = bed.answeringHost("web");
            String reason = vipStatus(next, "web").get("reason").asText();
            assertTrue(reason.contains("owner " + bed.node(owner) + " not answering ARP (no answer to the probes of"),
                    reason);
        } finally {
            Shell.quietly("ip", "netns", "exec", ns, "nft", "delete", "table", "arp", "itblock");
        }
        assertNoVipdHostAnsweredTwice(from, "owner's ARP lost");
    }

    @Test
    @Order(8)
    void aVipRemovedByReloadOnItsOwnerOnlyMovesAndTheOthersSeeTheMismatch() throws Exception {
        int owner = bed.answeringHost("db");
        int other = owner % bed.hostCount() + 1;
        // Only the leader places VIPs, so the leader must be a node that still defines db (doctor says so if not).
        bed.lead(other);
        long from = System.nanoTime();
        Files.writeString(bed.configPath(owner), bed.configWithout(owner, java.util.Set.of("db")));
        Shell.Result reload = bed.vipctl(owner, "reload");
        assertEquals(0, reload.exit(), reload.output());
        Testbed.waitUntil("db answered by another host", 10_000, () -> {
            int now = bed.answeringHost("db");
            return now != 0 && now != owner;
        });
        System.out.printf("[benchmark] VIP removed by reload on its owner only -> answered elsewhere after %d ms%n",
                (System.nanoTime() - from) / 1_000_000L);
        assertTrue(bed.log(owner).contains("released VIP db 198.18.0.101/24 from eth0: removed from the configuration "
                + "(reload)"), "the owner let it go");
        Testbed.waitUntil("the others see the mismatch", 5_000, () -> {
            JsonNode db = vipStatus(other, "db");
            return db != null && db.get("disagreements").has(bed.node(owner));
        });
        Shell.Result doctor = bed.vipctl(other, "doctor", "db");
        assertTrue(doctor.output().contains(bed.node(owner) + " defines db as nothing, this node as 198.18.0.101/24; "
                + "it is never given db"), doctor.output());
        assertNoVipdHostAnsweredTwice(from, "VIP removed by reload on its owner only");
        assertFalse(bed.hasAddress(owner, bed.vip("db")), "the owner carries no stale db address");
    }

    @Test
    @Order(9)
    void aFlushedRulesetGetsTheFenceBackWithinASecond() throws Exception {
        int owner = bed.answeringHost("web");
        long from = System.nanoTime();
        Shell.ok("ip", "netns", "exec", bed.hostNs(owner), "nft", "flush", "ruleset"); // a firewall reload, say
        Testbed.waitUntil("the fence is back", 5_000, () -> {
            try {
                String tables = Shell.ok("ip", "netns", "exec", bed.hostNs(owner), "nft", "list", "tables");
                return tables.contains("table arp vipd") && tables.contains("table ip vipd");
            } catch (IOException e) {
                return false;
            }
        });
        System.out.printf("[benchmark] nft flush ruleset on the owner -> fence installed again after %d ms%n",
                (System.nanoTime() - from) / 1_000_000L);
        assertTrue(bed.log(owner).contains("the nftables fence (arp vipd, ip vipd) is gone"), "the owner says so");
        String leased = Shell.ok("ip", "netns", "exec", bed.hostNs(owner), "nft", "list", "set", "arp", "vipd",
                "leased");
        assertTrue(leased.contains(bed.vip("web").getHostAddress()), "web is leased again: " + leased);
        assertNoVipdHostAnsweredTwice(from, "ruleset flushed on the owner");
    }
}
