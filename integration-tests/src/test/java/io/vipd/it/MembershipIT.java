package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changing the cluster online ({@code vipctl member}): a cluster of n1..n3 grows by a fourth host, which then takes
 * a VIP; loses n2, which owns a VIP, by removal (its VIP moves by handover, and the removed daemon lets go of
 * everything and exits with status 78); refuses a removal that would lose the majority; replaces a dead n3 by n5;
 * and a reload of a file that names the live members reconciles it. The client's ARP referee checks throughout that
 * no VIP is ever answered by two MACs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembershipIT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(5).vips("web", "db").manualStart();
    private Testbed bed; // set by the extension
    /** The client-visible figures this test measured, printed at the end of each test for the issue notes. */
    private final List<String> figures = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        for (int i = 1; i <= 3; i++) {
            bed.startDaemon(i, java.util.Map.of(), bed.configWithPeers(i, Set.of(1, 2, 3)));
        }
        Testbed.waitUntil("both VIPs answered", 60_000, () -> bed.answeringHost("web") != 0
                && bed.answeringHost("db") != 0);
    }

    private void assertNeverTwoMacs() {
        List<ArpReferee.Observation> all = bed.referee().observations();
        assertTrue(ArpReferee.dualAnswers(all).isEmpty(), "two MACs answered one VIP: " + ArpReferee.dualAnswers(all));
    }

    private List<String> members(int observer) {
        JsonNode s = bed.status(observer);
        List<String> out = new ArrayList<>();
        if (s != null) {
            s.get("nodes").forEach(n -> out.add(n.get("id").asText()));
        }
        return out;
    }

    /** {@code vipctl move}, retried while the target is not yet eligible (a new member earns its place first). */
    private void moveTo(String vip, int host) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Shell.Result r;
        do {
            r = bed.vipctl(1, "move", vip, bed.node(host));
            if (r.exit() == 0 || r.output().contains(vip + " is already on " + bed.node(host))) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        assertTrue(r.exit() == 0 || r.output().contains("is already on"), r.output());
        Testbed.waitUntil(vip + " answered by " + bed.node(host), 10_000, () -> bed.answeringHost(vip) == host);
    }

    @Test
    @Order(1)
    void aFourthHostJoinsOnlineAndTakesAVip() throws Exception {
        bed.startDaemon(4, java.util.Map.of(), bed.configWithPeers(4, Set.of(1, 2, 3, 4)));
        Testbed.waitUntil("n4's daemon answers its control socket", 60_000, () -> bed.status(4) != null);
        long t0 = System.nanoTime();
        Shell.Result add = bed.vipctl(1, "member", "add", "n4", bed.raftAddress(4));
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertEquals(0, add.exit(), add.output());
        assertTrue(add.output().contains("done: add n4 at " + bed.raftAddress(4) + " as a voter"), add.output());
        figures.add("member add n4 (vipctl round trip): " + ms + " ms");
        for (int i = 1; i <= 4; i++) {
            int observer = i;
            Testbed.waitUntil(bed.node(i) + " lists n4 as a member", 10_000,
                    () -> members(observer).equals(List.of("n1", "n2", "n3", "n4")));
        }
        Shell.Result status = bed.vipctl(1, "status");
        assertTrue(status.output().contains("n4 at " + bed.raftAddress(4) + " is a member but not in "),
                status.output());
        Shell.Result doctor = bed.vipctl(1, "doctor");
        assertTrue(doctor.output().contains("membership: n4 at " + bed.raftAddress(4) + " is a member but not in "),
                doctor.output());
        Shell.Result again = bed.vipctl(2, "member", "add", "n4", bed.raftAddress(4));
        assertEquals(1, again.exit(), again.output());
        assertTrue(again.output().contains("n4 is already a member"), again.output());

        long moved = System.nanoTime();
        int from = bed.answeringHost("web");
        moveTo("web", 4);
        figures.add("move web to the new member n4: gap " + bed.handoverGapMillis("web", from, 4, moved) + " ms");
        assertNeverTwoMacs();
        System.out.println("[membership] " + figures);
    }

    @Test
    @Order(2)
    void removingAHostThatOwnsAVipHandsItOverFirstAndTheRemovedDaemonLetsGo() throws Exception {
        moveTo("db", 2);
        long t0 = System.nanoTime();
        Shell.Result remove = bed.vipctl(1, "member", "remove", "n2");
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertEquals(0, remove.exit(), remove.output());
        assertTrue(remove.output().contains("done: remove n2"), remove.output());
        Testbed.waitUntil("db answered by a remaining member", 5_000, () -> {
            int h = bed.answeringHost("db");
            return h != 0 && h != 2;
        });
        int to = bed.answeringHost("db");
        long gap = bed.handoverGapMillis("db", 2, to, t0);
        figures.add("member remove n2 (owner of db): " + ms + " ms, db handed to " + bed.node(to) + " with a gap of "
                + gap + " ms");
        for (int i : new int[] {1, 3, 4}) {
            int observer = i;
            Testbed.waitUntil(bed.node(i) + " lists n1, n3, n4", 10_000,
                    () -> members(observer).equals(List.of("n1", "n3", "n4")));
        }
        // Ratis shuts a removed member's server down once it asks for votes; the daemon exits 78 (not restarted).
        assertEquals(78, bed.exitStatus(2, 30_000), bed.log(2));
        assertTrue(bed.log(2).contains("this node is no longer a member of the group"), bed.log(2));
        Thread.sleep(1_000);
        long since = System.nanoTime() - 1_000_000_000L;
        assertTrue(bed.referee().since(since).stream().noneMatch(o -> o.mac().equals(bed.mac(2))),
                "the removed n2 still answers ARP");
        assertNeverTwoMacs();
        System.out.println("[membership] " + figures);
    }

    @Test
    @Order(3)
    void aChangeThatWouldLoseTheMajorityIsRefusedAndADeadHostIsReplaced() throws Exception {
        moveTo("db", 3);
        bed.kill9(3);
        long crashed = System.nanoTime();
        Testbed.waitUntil("db failed over from the dead n3", 15_000, () -> {
            int h = bed.answeringHost("db");
            return h != 0 && h != 3;
        });
        figures.add("db failover from the crashed n3: " + (System.nanoTime() - crashed) / 1_000_000L
                + " ms (as the test polled)");
        Shell.Result refused = bed.vipctl(1, "member", "remove", "n4");
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("it would lose the majority: 2 of the 2 voters after it (n1, n3) must be "
                + "reachable, and only 1 are now (n1)"), refused.output());
        assertEquals(List.of("n1", "n3", "n4"), members(1), "a refused change changed nothing");

        bed.startDaemon(5, java.util.Map.of(), bed.configWithPeers(5, Set.of(1, 4, 5)));
        Testbed.waitUntil("n5's daemon answers its control socket", 60_000, () -> bed.status(5) != null);
        long t0 = System.nanoTime();
        Shell.Result replace = bed.vipctl(4, "member", "replace", "n3", "n5", bed.raftAddress(5));
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertEquals(0, replace.exit(), replace.output());
        assertTrue(replace.output().contains("done: replace n3 by n5"), replace.output());
        figures.add("member replace n3 (dead) by n5: " + ms + " ms");
        for (int i : new int[] {1, 4, 5}) {
            int observer = i;
            Testbed.waitUntil(bed.node(i) + " lists n1, n4, n5", 10_000,
                    () -> members(observer).equals(List.of("n1", "n4", "n5")));
        }
        moveTo("db", 5);
        assertNeverTwoMacs();
        System.out.println("[membership] " + figures);
    }

    @Test
    @Order(4)
    void aReloadOfAFileThatNamesTheMembersReconcilesIt() throws Exception {
        Shell.Result before = bed.vipctl(1, "status");
        assertTrue(before.output().contains("n2 is in ") && before.output().contains("but not a member"),
                before.output());
        Files.writeString(bed.configPath(1), bed.configWithPeers(1, Set.of(1, 4, 5)));
        Shell.Result reload = bed.vipctl(1, "reload");
        assertEquals(0, reload.exit(), reload.output());
        assertTrue(reload.output().contains("peers now as the group's members"), reload.output());
        Shell.Result after = bed.vipctl(1, "status");
        assertFalse(after.output().contains("membership: the group and this node's configuration file differ"),
                after.output());
        // A file two changes away from the members is refused whole, and says why.
        Files.writeString(bed.configPath(1), bed.configWithPeers(1, Set.of(1, 2, 3, 4, 5)));
        Shell.Result twoAway = bed.vipctl(1, "reload");
        assertEquals(1, twoAway.exit(), twoAway.output());
        assertTrue(twoAway.output().contains("differ from the members by more than one change"), twoAway.output());
        assertEquals(List.of("n1", "n4", "n5"), members(1));
        assertNeverTwoMacs();
    }
}
