package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Membership;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** vipctl member add, remove, replace and a reload's proposal, on n1, against a scripted group. */
class MembershipChangesTest {
    static final Peer N1 = new Peer("n1", "198.18.0.1", 7400);
    static final Peer N2 = new Peer("n2", "198.18.0.2", 7400);
    static final Peer N3 = new Peer("n3", "198.18.0.3", 7400);
    static final Peer N4 = new Peer("n4", "198.18.0.4", 7400);

    final ManualClock clock = new ManualClock();
    final FakeConsensus raft = new FakeConsensus();
    final Set<String> unreachable = ConcurrentHashMap.newKeySet();
    final List<String> drains = new ArrayList<>();
    VipTable table = VipTable.EMPTY;

    final MembershipChanges changes = new MembershipChanges("n1", () -> raft, () -> table,
            (node, now) -> !unreachable.contains(node), (caller, node, drained) -> {
                drains.add((drained ? "drain " : "undrain ") + node);
                return "ok";
            }, clock::nanos, clock::advanceMillis);

    MembershipChangesTest() {
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, N2, N3), 1));
    }

    @Test
    void addsAVoterWithTheAddressAndRoleGiven() throws Exception {
        String result = changes.add(ALICE, "n4", "198.18.0.4:7400", MembershipChanges.Role.VOTER);
        assertEquals(List.of(List.of(N1, N2, N3, N4)), raft.membershipChanges);
        assertTrue(result.startsWith("done: add n4 at 198.18.0.4:7400 as a voter"), result);
        assertTrue(result.contains("members now: n1, n2, n3, n4"), result);
    }

    @Test
    void addsWitnessesAndListenersInTheirRoles() throws Exception {
        changes.add(ALICE, "w", "198.18.203.3:7400", MembershipChanges.Role.WITNESS);
        assertEquals(new Peer("w", "198.18.203.3", 7400, true, true), raft.membershipChanges.get(0).get(3));
        changes.add(ALICE, "l", "198.18.0.9:7400", MembershipChanges.Role.LISTENER);
        assertEquals(new Peer("l", "198.18.0.9", 7400, false, false), raft.membershipChanges.get(1).get(4));
    }

    @Test
    void refusesAMemberTwiceAnAddressTwiceAndABadAddress() {
        assertEquals("n2 is already a member (members: n1, n2, n3)", assertThrows(IllegalArgumentException.class,
                () -> changes.add(ALICE, "n2", "198.18.0.9:7400", MembershipChanges.Role.VOTER)).getMessage());
        assertEquals("refused to add n4 at 198.18.0.2:7400 as a voter: 198.18.0.2:7400 would be the address of two "
                + "members", assertThrows(IllegalStateException.class,
                () -> changes.add(ALICE, "n4", "198.18.0.2:7400", MembershipChanges.Role.VOTER)).getMessage());
        assertEquals("address: port 99999 is outside 1..65535", assertThrows(IllegalArgumentException.class,
                () -> changes.add(ALICE, "n4", "198.18.0.4:99999", MembershipChanges.Role.VOTER)).getMessage());
        assertEquals("'n9' is not a member (members: n1, n2, n3)", assertThrows(IllegalArgumentException.class,
                () -> changes.remove(ALICE, "n9")).getMessage());
        assertTrue(raft.membershipChanges.isEmpty());
    }

    @Test
    void refusesAChangeThatWouldLeaveTheReachableVotersWithoutAMajority() {
        unreachable.add("n3");
        // 3 voters, n3 down: removing a live one leaves n1 and n3, of which only n1 answers
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> changes.remove(ALICE, "n2"));
        assertEquals("refused to remove n2: it would lose the majority: 2 of the 2 voters after it (n1, n3) must be "
                + "reachable, and only 1 are now (n1); bring the others back first, or remove an unreachable member "
                + "instead", e.getMessage());
        // adding a voter counts the new member as unreachable: 2 of 4 is no majority
        assertThrows(IllegalStateException.class, () -> changes.add(ALICE, "n4", "198.18.0.4:7400",
                MembershipChanges.Role.VOTER));
        assertTrue(raft.membershipChanges.isEmpty());
    }

    @Test
    void anUnreachableMemberMayBeRemovedOrReplacedAndAListenerAddedWhateverIsDown() throws Exception {
        unreachable.add("n3");
        changes.add(ALICE, "l", "198.18.0.9:7400", MembershipChanges.Role.LISTENER);
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, N2, N3), 1));
        changes.replace(ALICE, "n3", "n4", "198.18.0.4:7400");
        assertEquals(List.of(N1, N2, N4), raft.membershipChanges.get(1));
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, N2, N3), 1));
        changes.remove(ALICE, "n3");
        assertEquals(List.of(N1, N2), raft.membershipChanges.get(2));
        assertTrue(drains.isEmpty(), "nothing to drain on an unreachable member: " + drains);
    }

    @Test
    void refusesWhileAnotherChangeIsUnderWay() {
        raft.membership = java.util.Optional.of(new Membership(List.of(N1, N2, N3, N4), List.of(N1, N2, N3), 5));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> changes.remove(ALICE, "n2"));
        assertEquals("refused to remove n2: another membership change is under way (from n1, n2, n3 to n1, n2, n3, "
                + "n4); wait for it to finish", e.getMessage());
    }

    @Test
    void refusesToLeaveOnlyWitnesses() {
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, new Peer("w", "198.18.0.9", 7400, true)),
                1));
        assertTrue(assertThrows(IllegalStateException.class, () -> changes.remove(ALICE, "n1")).getMessage()
                .endsWith("no member that may hold VIPs would be left (only witnesses)"));
    }

    @Test
    void aLeavingMemberThatHoldsVipsIsDrainedFirstAndUndrainedWhenAddedBack() throws Exception {
        table = RoleFixtures.apply(RoleFixtures.defined(RoleFixtures.config(), "n1", "n2", "n3"),
                RoleFixtures.assign("web", 0, "n2"));
        changes.remove(ALICE, "n2");
        assertEquals(List.of("drain n2"), drains);
        assertEquals(List.of(N1, N3), raft.membershipChanges.get(0));
        table = RoleFixtures.apply(table, new io.vipd.cluster.Command.Drain("n2", true, 0, "n1", "alice"));
        changes.add(ALICE, "n2", "198.18.0.2:7400", MembershipChanges.Role.VOTER);
        assertEquals(List.of("drain n2", "undrain n2"), drains);
    }

    @Test
    void aFailedChangeUndrainsTheMemberItDrainedAndSaysWhy() {
        table = RoleFixtures.apply(RoleFixtures.defined(RoleFixtures.config(), "n1", "n2", "n3"),
                RoleFixtures.assign("web", 0, "n2"));
        raft.membershipAnswer = to -> io.vipd.cluster.Consensus.Outcome.failed("timed out");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> changes.remove(ALICE, "n2"));
        assertEquals("the group did not remove n2: timed out (n2 was drained for it and is undrained again)",
                e.getMessage());
        assertEquals(List.of("drain n2", "undrain n2"), drains);
    }

    @Test
    void aReloadProposesOneChangeAndRefusesMore() throws Exception {
        assertNull(changes.propose(ALICE, List.of(N3, N1, N2)), "the same members in another order: no change");
        assertTrue(changes.propose(ALICE, List.of(N1, N2, N3, N4)).startsWith("done: add n4"));
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, N2, N3), 1));
        assertTrue(changes.propose(ALICE, List.of(N1, N2)).startsWith("done: remove n3"));
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, N2, N3), 1));
        assertTrue(changes.propose(ALICE, List.of(N1, N2, N4)).startsWith("done: replace n3 by n4"));
        raft.membership = java.util.Optional.of(Membership.of(List.of(N1, N2, N3), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> changes.propose(ALICE, List.of(N1, N4, new Peer("n5", "198.18.0.5", 7400))));
        assertTrue(e.getMessage().startsWith("the file's peers differ from the members by more than one change "
                + "(to add or change: n4, n5; to remove or change: n2, n3; members now: n1, n2, n3)"), e.getMessage());
    }

    @Test
    void aReloadThatChangesOneMembersRoleChangesItAndAnAddressChangeIsRefused() throws Exception {
        table = RoleFixtures.apply(RoleFixtures.defined(RoleFixtures.config(), "n1", "n2", "n3"),
                RoleFixtures.assign("web", 0, "n3"));
        Peer witness = new Peer("n3", "198.18.0.3", 7400, true);
        String done = changes.propose(ALICE, List.of(N1, N2, witness));
        assertTrue(done.startsWith("done: make n3 a witness"), done);
        assertEquals(List.of(N1, N2, witness), raft.membershipChanges.get(0));
        assertEquals(List.of("drain n3"), drains, "a member that becomes a witness hands its VIPs over first");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> changes.propose(ALICE, List.of(N1, N2, new Peer("n3", "198.18.0.33", 7400, true))));
        assertTrue(e.getMessage().startsWith("n3's address changed (198.18.0.3:7400 -> 198.18.0.33:7400)"),
                e.getMessage());
    }

    @Test
    void theMembershipUsesTheLiveMembersNotTheFileAndSaysWhereTheyDiffer() {
        io.vipd.config.VipdConfig file = RoleFixtures.config(RoleFixtures.WEB_CHECKED); // n1, n2, n3
        LiveMembership live = new LiveMembership();
        assertEquals(file, live.effective(file, java.util.Optional.empty()));
        assertEquals(file, live.effective(file, java.util.Optional.of(Membership.of(List.of(), -1))),
                "a Raft server still starting knows no members: the file's count");
        assertTrue(live.differences().isEmpty());
        assertEquals(file, live.effective(file, java.util.Optional.of(Membership.of(List.of(N3, N2, N1), 0))),
                "the file's peers in another order are the same members");
        assertTrue(live.differences().isEmpty());
        io.vipd.config.VipdConfig grown = live.effective(file, java.util.Optional.of(
                Membership.of(List.of(N1, N2, N3, N4), 7)));
        assertEquals(List.of(N1, N2, N3, N4), grown.peers());
        assertEquals(file.vips(), grown.vips());
        assertEquals(List.of("n4 at 198.18.0.4:7400 is a member but not in " + file.source()
                + ": add 'peer.n4 = 198.18.0.4:7400' there"), lines(live));
        io.vipd.config.VipdConfig removed = live.effective(file, java.util.Optional.of(
                Membership.of(List.of(N2, N3), 9)));
        assertEquals(Set.of("n1", "n2", "n3"), Set.copyOf(removed.peers().stream().map(Peer::id).toList()),
                "this node always knows itself");
        assertEquals(false, live.selfIsMember());
        assertTrue(live.differences().get(0).problem(), "this node cannot serve: a problem");
        assertTrue(lines(live).get(0).startsWith("n1 (this node) is not a member of the group"),
                lines(live).toString());
        assertTrue(lines(live).contains("n1 is in " + file.source() + " but not a member: remove 'peer.n1' "
                + "there, or add it with 'vipctl member add n1 198.18.0.1:7400'"), lines(live).toString());
        assertEquals(removed, live.effective(file, java.util.Optional.of(Membership.of(List.of(N2, N3), 9))),
                "the same instance while nothing changed");
    }

    static List<String> lines(LiveMembership live) {
        return live.differences().stream().map(LiveMembership.Difference::line).toList();
    }
}
