package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.VipSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignerTest {
    static final Set<String> MEMBERS = Set.of("n1", "n2", "n3");

    static VipSpec vip(String name, int last, String... prefer) throws Exception {
        return new VipSpec(name, (Inet4Address) InetAddress.getByName("198.18.0." + last), 24, "eth0",
                List.of(prefer));
    }

    /** Every member reports that its configuration defines {@code vips} as given (they do at start-up). */
    static VipTable known(VipTable t, List<VipSpec> vips) {
        Map<String, String> defs = new HashMap<>();
        vips.forEach(v -> defs.put(v.name(), v.cidr()));
        for (String n : MEMBERS) {
            Map<String, String> merged = new HashMap<>(t.definitionsOf(n));
            merged.putAll(defs);
            t = t.apply(new Command.Definitions(n, merged)).table();
        }
        return t;
    }

    static VipTable applyAll(VipTable t, List<Command.Assign> plan) {
        for (Command.Assign a : plan) {
            t = t.apply(a).table();
        }
        return t;
    }

    @Test
    void spreadsVipsEvenlyAcrossLiveNodes() throws Exception {
        List<VipSpec> vips = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            vips.add(vip("v" + i, 100 + i));
        }
        VipTable t = applyAll(VipTable.EMPTY, Assigner.plan(known(VipTable.EMPTY, vips), vips, MEMBERS, MEMBERS, false, 0));
        Map<String, Integer> load = new HashMap<>();
        t.vips().values().forEach(v -> load.merge(v.owner(), 1, Integer::sum));
        assertEquals(Set.of("n1", "n2", "n3"), load.keySet());
        assertTrue(load.values().stream().allMatch(n -> n == 2 || n == 3), load.toString());
        // Nothing more to do once every VIP has a live owner.
        assertEquals(List.of(), Assigner.plan(known(t, vips), vips, MEMBERS, MEMBERS, false, 0));
    }

    @Test
    void betweenEquallyLoadedNodesAVipGoesToOneThatDoesNotLeadRaft() throws Exception {
        List<VipSpec> one = List.of(vip("web", 100));
        Assigner.Inputs ledByN1 = new Assigner.Inputs(known(VipTable.EMPTY, one), one, MEMBERS, MEMBERS, MEMBERS,
                true, 0, Assigner.EligibleFor.ALWAYS, Assigner.Ages.OLD, Set.of(), "n1");
        assertEquals("n2", Assigner.plan(ledByN1).get(0).owner());
        Assigner.Inputs ledByN2 = new Assigner.Inputs(known(VipTable.EMPTY, one), one, MEMBERS, MEMBERS, MEMBERS,
                true, 0, Assigner.EligibleFor.ALWAYS, Assigner.Ages.OLD, Set.of(), "n2");
        assertEquals("n1", Assigner.plan(ledByN2).get(0).owner());
        // the leader still takes its share when the others carry more, and a preference beats the tie-break
        List<VipSpec> three = List.of(vip("a", 100), vip("b", 101), vip("c", 102));
        VipTable spread = applyAll(known(VipTable.EMPTY, three), Assigner.plan(new Assigner.Inputs(
                known(VipTable.EMPTY, three), three, MEMBERS, MEMBERS, MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS, Assigner.Ages.OLD, Set.of(), "n1")));
        Set<String> owners = new java.util.HashSet<>();
        spread.vips().values().forEach(v -> owners.add(v.owner()));
        assertEquals(MEMBERS, owners);
        List<VipSpec> preferred = List.of(vip("web", 100, "n1"));
        assertEquals("n1", Assigner.plan(new Assigner.Inputs(known(VipTable.EMPTY, preferred), preferred, MEMBERS,
                MEMBERS, MEMBERS, true, 0, Assigner.EligibleFor.ALWAYS, Assigner.Ages.OLD, Set.of(), "n1"))
                .get(0).owner());
    }

    @Test
    void respectsPreferenceOrderAmongLiveNodes() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100, "n3", "n2"));
        assertEquals("n3", Assigner.plan(known(VipTable.EMPTY, vips), vips, MEMBERS, MEMBERS, false, 0).get(0).owner());
        assertEquals("n2", Assigner.plan(known(VipTable.EMPTY, vips), vips, Set.of("n1", "n2"), MEMBERS, true, 0).get(0).owner());
        List<Command.Assign> fallback = Assigner.plan(known(VipTable.EMPTY, vips), vips, Set.of("n1"), MEMBERS, true, 0);
        assertEquals("n1", fallback.get(0).owner());
        assertTrue(fallback.get(0).reason().startsWith("fallback"));
    }

    @Test
    void reassignsOnlyWhenTheOwnerIsNotLive() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100), vip("db", 101));
        VipTable t = VipTable.EMPTY
                .apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table()
                .apply(new Command.Assign("db", 0, 0, "n2", 0, "x")).table();
        List<Command.Assign> plan = Assigner.plan(known(t, vips), vips, Set.of("n2", "n3"), MEMBERS, true, 0);
        assertEquals(1, plan.size());
        Command.Assign a = plan.get(0);
        assertEquals("web", a.vip());
        assertEquals(1, a.expectedEpoch());
        assertEquals("n3", a.owner()); // n2 already carries one
        assertTrue(a.reason().contains("previous owner n1 stopped renewing"), a.reason());
    }

    @Test
    void returningNodeDoesNotTakeItsVipBack() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        t = applyAll(t, Assigner.plan(known(t, vips), vips, Set.of("n2", "n3"), MEMBERS, true, 0));
        String newOwner = t.vip("web").owner();
        assertEquals(List.of(), Assigner.plan(known(t, vips), vips, MEMBERS, MEMBERS, true, 0));
        assertEquals(newOwner, t.vip("web").owner());
    }

    @Test
    void neverAssignedVipsWaitForAllMembersUntilSettled() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100), vip("db", 101));
        assertEquals(List.of(), Assigner.plan(known(VipTable.EMPTY, vips), vips, Set.of("n1"), MEMBERS, false, 0));
        assertEquals(2, Assigner.plan(known(VipTable.EMPTY, vips), vips, Set.of("n1"), MEMBERS, true, 0).size());
        // A VIP released by a leaving node does not wait.
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n2", 0, "x")).table()
                .apply(new Command.Leave("n2", 0)).table();
        List<Command.Assign> plan = Assigner.plan(known(t, List.of(vips.get(0))), List.of(vips.get(0)), Set.of("n1"), MEMBERS, false, 0);
        assertEquals(1, plan.size());
        assertEquals("n1", plan.get(0).owner());
    }

    @Test
    void reachableNodesMayReceiveVipsButOnlyRenewalsKeepAnOwner() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        // n1 is reachable over Raft but its renewals do not commit: it is not live, so web moves;
        // n2 has not renewed since the leader changed but is reachable: it may receive web.
        List<Command.Assign> plan = Assigner.plan(known(t, vips), vips, Set.of("n3"), Set.of("n1", "n2", "n3"), MEMBERS, true, 0);
        assertEquals(1, plan.size());
        assertTrue(!plan.get(0).owner().equals("n1"), "a node that does not renew loses its VIP");
        plan = Assigner.plan(known(t, vips), vips, Set.of(), Set.of("n2"), MEMBERS, true, 0);
        assertEquals("n2", plan.get(0).owner());
    }

    @Test
    void noLiveNodeNoProposal() throws Exception {
        assertEquals(List.of(), Assigner.plan(known(VipTable.EMPTY, List.of(vip("web", 100))), List.of(vip("web", 100)), Set.of(), MEMBERS, true, 0));
    }

    static VipSpec checked(String name, int last, boolean preempt, long delayMs, VipSpec.UnhealthyPolicy policy,
                           String... prefer) throws Exception {
        return new VipSpec(name, (Inet4Address) InetAddress.getByName("198.18.0." + last), 24, "eth0",
                List.of(prefer), List.of("svc"), preempt, delayMs, policy);
    }

    static VipTable healthy(VipTable t, String vip, String... nodes) {
        for (String n : nodes) {
            t = t.apply(new Command.Health(n, Map.of(vip, ""))).table();
        }
        return t;
    }

    static List<Command.Assign> plan(VipTable t, List<VipSpec> vips, Assigner.EligibleFor eligibleFor) {
        return Assigner.plan(new Assigner.Inputs(known(t, vips), vips, MEMBERS, MEMBERS, MEMBERS, true, 0,
                eligibleFor));
    }

    @Test
    void onlyNodesPassingTheChecksReceiveAVip() throws Exception {
        List<VipSpec> vips = List.of(checked("web", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP, "n1", "n2"));
        VipTable t = healthy(VipTable.EMPTY, "web", "n2", "n3")
                .apply(new Command.Health("n1", Map.of("web", "tcp 127.0.0.1:80: connection refused"))).table();
        List<Command.Assign> p = plan(t, vips, Assigner.EligibleFor.ALWAYS);
        assertEquals("n2", p.get(0).owner(), "n1 is preferred but fails its check");
        // A node that has not reported yet does not pass either.
        VipTable silent = healthy(VipTable.EMPTY, "web", "n3");
        assertEquals("n3", plan(silent, vips, Assigner.EligibleFor.ALWAYS).get(0).owner());
    }

    @Test
    void anOwnerThatFailsItsCheckHandsOverToAHealthyNode() throws Exception {
        List<VipSpec> vips = List.of(checked("web", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP));
        VipTable t = healthy(VipTable.EMPTY, "web", "n1", "n2", "n3")
                .apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        assertEquals(List.of(), plan(t, vips, Assigner.EligibleFor.ALWAYS), "healthy live owner: stays");
        VipTable sick = t.apply(new Command.Health("n1", Map.of("web", "exit 1 (3 in a row)"))).table();
        List<Command.Assign> p = plan(sick, vips, Assigner.EligibleFor.ALWAYS);
        assertEquals(1, p.size());
        assertTrue(p.get(0).handover(), "the owner is alive: a handover, not a failover");
        assertEquals("n2", p.get(0).owner());
        assertTrue(p.get(0).reason().contains("owner n1 unhealthy (exit 1 (3 in a row))"), p.get(0).reason());
        // Recovery with preempt off: the VIP stays on n2.
        VipTable moved = applyAll(sick, p).apply(new Command.Released("web", 2, "n1", "ok")).table();
        VipTable recovered = healthy(moved, "web", "n1");
        assertEquals(List.of(), plan(recovered, vips, Assigner.EligibleFor.ALWAYS));
    }

    @Test
    void withNoHealthyNodeKeepServesAndReleaseReleases() throws Exception {
        VipTable owned = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        VipTable allSick = owned;
        for (String n : List.of("n1", "n2", "n3")) {
            allSick = allSick.apply(new Command.Health(n, Map.of("web", "exit 1"))).table();
        }
        List<VipSpec> keep = List.of(checked("web", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP));
        assertEquals(List.of(), plan(allSick, keep, Assigner.EligibleFor.ALWAYS), "keep: stays on its owner");
        List<VipSpec> release = List.of(checked("web", 100, false, 0, VipSpec.UnhealthyPolicy.RELEASE));
        List<Command.Assign> p = plan(allSick, release, Assigner.EligibleFor.ALWAYS);
        assertEquals(null, p.get(0).owner());
        assertTrue(p.get(0).handover(), "released by handover: the owner confirms it let go");
        // An ownerless VIP with nobody healthy: keep gives it to a reachable node, release leaves it alone.
        VipTable none = allSick.apply(new Command.Leave("n1", 0)).table();
        assertEquals(1, plan(none, keep, Assigner.EligibleFor.ALWAYS).size());
        assertTrue(plan(none, keep, Assigner.EligibleFor.ALWAYS).get(0).reason().contains("unhealthy = keep"));
        assertEquals(List.of(), plan(none, release, Assigner.EligibleFor.ALWAYS));
    }

    @Test
    void preemptTakesTheVipBackOnlyAfterTheDelay() throws Exception {
        VipTable t = healthy(VipTable.EMPTY, "web", "n1", "n2", "n3")
                .apply(new Command.Assign("web", 0, 0, "n2", 0, "x")).table();
        List<VipSpec> off = List.of(checked("web", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP, "n1", "n2"));
        assertEquals(List.of(), plan(t, off, (n, v) -> 60_000), "preempt off: never taken back");
        List<VipSpec> on = List.of(checked("web", 100, true, 2000, VipSpec.UnhealthyPolicy.KEEP, "n1", "n2"));
        assertEquals(List.of(), plan(t, on, (n, v) -> 1999), "n1 eligible for less than the delay");
        List<Command.Assign> p = plan(t, on, (n, v) -> 2000);
        assertEquals("n1", p.get(0).owner());
        assertTrue(p.get(0).handover());
        assertTrue(p.get(0).reason().startsWith("preferred (preempt"), p.get(0).reason());
        // Never preempt in favour of a less preferred node, nor while a handover is pending.
        VipTable onN1 = t.apply(new Command.Assign("web", 1, 0, "n1", 0, "x", true)).table();
        assertEquals(List.of(), plan(onN1, on, (n, v) -> 60_000));
    }

    static Assigner.Ages ages(long heldMs, long vacantMs) {
        return new Assigner.Ages() {
            @Override
            public long heldMillis(String vip) {
                return heldMs;
            }

            @Override
            public long vacantMillis(String vip) {
                return vacantMs;
            }
        };
    }

    @Test
    void preemptionWaitsUntilTheOwnerHeldTheVipForTheHoldTime() throws Exception {
        VipTable t = healthy(VipTable.EMPTY, "web", "n1", "n2", "n3")
                .apply(new Command.Assign("web", 0, 0, "n2", 0, "failover from n1")).table();
        List<VipSpec> on = List.of(new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24,
                "eth0", List.of("n1", "n2"), List.of("svc"), true, 0, VipSpec.UnhealthyPolicy.KEEP, 5000));
        Assigner.Inputs justMoved = new Assigner.Inputs(known(t, on), on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(4999, Long.MAX_VALUE));
        assertEquals(List.of(), Assigner.plan(justMoved), "n2 has held web for less than the hold time");
        Assigner.Inputs held = new Assigner.Inputs(known(t, on), on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(5000, Long.MAX_VALUE));
        List<Command.Assign> p = Assigner.plan(held);
        assertEquals("n1", p.get(0).owner());
        assertTrue(p.get(0).handover());
        // The hold time does not keep a VIP on an owner that must give it up (drained).
        VipTable drained = t.apply(new Command.Drain("n2", true, 0)).table();
        Assigner.Inputs mustGo = new Assigner.Inputs(known(drained, on), on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 0, ages(10, Long.MAX_VALUE));
        assertEquals("n1", Assigner.plan(mustGo).get(0).owner());
    }

    @Test
    void aFailoverWaitsBrieflyForAPreferredNodeThatIsStillEarning() throws Exception {
        // api prefers n2, n3, n1 with preemption; its owner n2 stopped renewing together with the Raft leader, so
        // every node's renewals paused: n1 has earned again, n3 is earning a moment later.
        VipTable t = healthy(VipTable.EMPTY, "api", "n1", "n2", "n3")
                .apply(new Command.Assign("api", 0, 0, "n2", 0, "x")).table();
        List<VipSpec> on = List.of(checked("api", 100, true, 2000, VipSpec.UnhealthyPolicy.KEEP, "n2", "n3", "n1"));
        Set<String> live = Set.of("n1", "n3");
        Assigner.Inputs early = new Assigner.Inputs(known(t, on), on, live, Set.of("n1"), MEMBERS, true, 0,
                (n, v) -> 0, ages(60_000, 200), Set.of("n3"));
        assertEquals(List.of(), Assigner.plan(early), "n3, preferred to n1, earns within moments: wait for it");
        Assigner.Inputs earned = new Assigner.Inputs(known(t, on), on, live, Set.of("n1", "n3"), MEMBERS, true, 0,
                (n, v) -> 0, ages(60_000, 300), Set.of());
        assertEquals("n3", Assigner.plan(earned).get(0).owner());
        // Bounded: a node still earning after EARNING_WAIT_MAX_MS is not waited for.
        Assigner.Inputs late = new Assigner.Inputs(known(t, on), on, live, Set.of("n1"), MEMBERS, true, 0,
                (n, v) -> 0, ages(60_000, Assigner.EARNING_WAIT_MAX_MS), Set.of("n3"));
        assertEquals("n1", Assigner.plan(late).get(0).owner());
        // Without preemption the VIP would stay where it lands: no second move to avoid, so no wait.
        List<VipSpec> off = List.of(checked("api", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP, "n2", "n3", "n1"));
        assertEquals("n1", Assigner.plan(new Assigner.Inputs(known(t, off), off, live, Set.of("n1"), MEMBERS, true,
                0, (n, v) -> 0, ages(60_000, 200), Set.of("n3"))).get(0).owner());
        // Nor for the previous owner, a node preferred less than the chosen one, or one that fails the checks.
        assertEquals("n3", Assigner.plan(new Assigner.Inputs(known(t, on), on, live, Set.of("n3"), MEMBERS, true, 0,
                (n, v) -> 0, ages(60_000, 200), Set.of("n1", "n2"))).get(0).owner());
        VipTable n3Sick = t.apply(new Command.Health("n3", Map.of("api", "svc: refused"))).table();
        assertEquals("n1", Assigner.plan(new Assigner.Inputs(known(n3Sick, on), on, live, Set.of("n1"), MEMBERS,
                true, 0, (n, v) -> 0, ages(60_000, 200), Set.of("n3"))).get(0).owner());
    }

    /** Each node reported its eth0 MAC and link up; {@code silent} nodes hear no answer from web's owner at epoch 1. */
    static VipTable watched(VipTable t, Set<String> silent) {
        for (String n : MEMBERS) {
            Map<String, String> facts = new java.util.TreeMap<>(Map.of(NodeFacts.macKey("eth0"), "02:00:00:00:00:0"
                    + n.charAt(1), NodeFacts.linkKey("eth0"), NodeFacts.UP));
            if (silent.contains(n)) {
                facts.put(NodeFacts.silentKey("web"), "1");
            }
            t = t.apply(new Command.Observed(n, facts)).table();
        }
        return t;
    }

    @Test
    void anOwnerEveryWatcherHearsNothingFromIsHandedOverOnceAMinuteAtMost() throws Exception {
        List<VipSpec> on = List.of(vip("web", 100));
        VipTable owned = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "least loaded")).table();
        Assigner.Inputs oneWatcherHears = new Assigner.Inputs(known(watched(owned, Set.of("n2")), on), on, MEMBERS,
                MEMBERS, MEMBERS, true, 0, (n, v) -> 60_000, ages(10_000, Long.MAX_VALUE));
        assertEquals(List.of(), Assigner.plan(oneWatcherHears), "n3 still hears n1: it stays");
        VipTable silent = known(watched(owned, Set.of("n2", "n3")), on);
        // n1's lease had lapsed (it rightly did not answer) and its renewals resumed a moment ago: the watchers'
        // reports are from before; it stays.
        Assigner.Ages justRenewing = new Assigner.Ages() {
            @Override
            public long heldMillis(String vip) {
                return 10_000;
            }

            @Override
            public long vacantMillis(String vip) {
                return Long.MAX_VALUE;
            }

            @Override
            public boolean renewedThroughSilence(String node) {
                return !node.equals("n1");
            }
        };
        assertEquals(List.of(), Assigner.plan(new Assigner.Inputs(silent, on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, justRenewing)), "silence while n1 could not renew is no reason to move web");
        Assigner.Inputs noneHears = new Assigner.Inputs(silent, on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(10_000, Long.MAX_VALUE));
        List<Command.Assign> p = Assigner.plan(noneHears);
        assertEquals(1, p.size());
        assertTrue(p.get(0).handover());
        assertNotEquals("n1", p.get(0).owner());
        assertTrue(p.get(0).reason().contains("owner n1 not answering ARP (no answer to the probes of n2, n3)"),
                p.get(0).reason());
        // moved for silence: the new owner is not moved for silence again within a minute
        VipTable moved = silent.apply(p.get(0)).table()
                .apply(new Command.Released("web", 2, "n1", "let go")).table();
        String next = moved.vip("web").owner();
        VipTable nextSilent = moved;
        for (String n : MEMBERS) {
            if (!n.equals(next)) {
                Map<String, String> facts = new java.util.TreeMap<>(moved.observedBy(n));
                facts.put(NodeFacts.silentKey("web"), "2");
                nextSilent = nextSilent.apply(new Command.Observed(n, facts)).table();
            }
        }
        Assigner.Inputs again = new Assigner.Inputs(nextSilent, on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(59_999, Long.MAX_VALUE));
        assertEquals(List.of(), Assigner.plan(again), "ARP lost for every owner alike: no flapping");
        Assigner.Inputs later = new Assigner.Inputs(nextSilent, on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(60_000, Long.MAX_VALUE));
        assertEquals(1, Assigner.plan(later).size());
        List<VipSpec> reportOnly = List.of(new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.100"),
                24, "eth0", List.of(), List.of(), false, 0, VipSpec.UnhealthyPolicy.KEEP, 5000,
                VipSpec.ConflictPolicy.REFUSE, VipSpec.SilentPolicy.REPORT, List.of()));
        assertEquals(List.of(), Assigner.plan(new Assigner.Inputs(silent, reportOnly, MEMBERS, MEMBERS, MEMBERS,
                true, 0, (n, v) -> 60_000, ages(10_000, Long.MAX_VALUE))), "on_silent = report");
    }

    @Test
    void aNodeWhoseVipLinkIsDownGetsNoVipAndAnOwnersLinkDownMovesIt() throws Exception {
        List<VipSpec> on = List.of(vip("web", 100));
        VipTable t = known(watched(VipTable.EMPTY, Set.of()), on)
                .apply(new Command.Observed("n2", Map.of(NodeFacts.linkKey("eth0"), "no carrier"))).table()
                .apply(new Command.Observed("n3", Map.of(NodeFacts.linkKey("eth0"), "down"))).table();
        List<Command.Assign> first = Assigner.plan(new Assigner.Inputs(t, on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(10_000, Long.MAX_VALUE)));
        assertEquals("n1", first.get(0).owner(), "the only node with its link up");
        VipTable owned = t.apply(first.get(0)).table()
                .apply(new Command.Observed("n3", Map.of(NodeFacts.linkKey("eth0"), NodeFacts.UP))).table()
                .apply(new Command.Observed("n1", Map.of(NodeFacts.linkKey("eth0"), "no carrier"))).table();
        List<Command.Assign> moved = Assigner.plan(new Assigner.Inputs(owned, on, MEMBERS, MEMBERS, MEMBERS, true,
                0, (n, v) -> 60_000, ages(10_000, Long.MAX_VALUE)));
        assertEquals("n3", moved.get(0).owner());
        assertTrue(moved.get(0).handover());
        assertTrue(moved.get(0).reason().contains("owner n1 unhealthy (link eth0 no carrier)"), moved.get(0).reason());
    }

    @Test
    void aTrackedInterfaceDownCountsAsTheVipsOwnLink() throws Exception {
        VipSpec web = new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24, "eth0", List.of(),
                List.of(), false, 0, VipSpec.UnhealthyPolicy.KEEP, 5000, VipSpec.ConflictPolicy.REFUSE,
                VipSpec.SilentPolicy.MOVE, List.of("bond0"));
        assertEquals(List.of("eth0", "bond0"), web.links());
        List<VipSpec> on = List.of(web);
        VipTable t = known(watched(VipTable.EMPTY, Set.of()), on)
                .apply(new Command.Assign("web", 0, 0, "n1", 0, "least loaded")).table()
                .apply(new Command.Observed("n1", Map.of(NodeFacts.linkKey("eth0"), NodeFacts.UP,
                        NodeFacts.linkKey("bond0"), "down"))).table();
        assertEquals("link bond0 down", Assigner.unhealthyReason(t, web, "n1"));
        List<Command.Assign> moved = Assigner.plan(new Assigner.Inputs(t, on, MEMBERS, MEMBERS, MEMBERS, true, 0,
                (n, v) -> 60_000, ages(10_000, Long.MAX_VALUE)));
        assertTrue(moved.get(0).reason().contains("owner n1 unhealthy (link bond0 down)"), moved.get(0).reason());
    }

    @Test
    void aNewVipWaitsBoundedForItsPreferredNodesToDefineIt() throws Exception {
        List<VipSpec> vips = List.of(vip("api", 102, "n3"));
        // A reload added api: n1 and n2 reported it already, the preferred n3 has not yet.
        VipTable t = VipTable.EMPTY
                .apply(new Command.Definitions("n1", Map.of("api", "198.18.0.102/24"))).table()
                .apply(new Command.Definitions("n2", Map.of("api", "198.18.0.102/24"))).table()
                .apply(new Command.Definitions("n3", Map.of())).table();
        Assigner.Inputs early = new Assigner.Inputs(t, vips, MEMBERS, MEMBERS, MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS, ages(Long.MAX_VALUE, 100));
        assertEquals(List.of(), Assigner.plan(early), "waits for n3 to define api");
        VipTable reported = t.apply(new Command.Definitions("n3", Map.of("api", "198.18.0.102/24"))).table();
        Assigner.Inputs now = new Assigner.Inputs(reported, vips, MEMBERS, MEMBERS, MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS, ages(Long.MAX_VALUE, 150));
        assertEquals("n3", Assigner.plan(now).get(0).owner(), "straight to the preferred node");
        // Bounded: n3 never reloads; after the patience api goes to the least loaded node that defines it.
        Assigner.Inputs late = new Assigner.Inputs(t, vips, MEMBERS, MEMBERS, MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS, ages(Long.MAX_VALUE, Assigner.NEW_VIP_PATIENCE_MS));
        assertEquals("n1", Assigner.plan(late).get(0).owner());
        // A preferred node that is not a candidate (down) is not waited for.
        Assigner.Inputs n3Down = new Assigner.Inputs(t, vips, MEMBERS, Set.of("n1", "n2"), MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS, ages(Long.MAX_VALUE, 100));
        assertEquals("n1", Assigner.plan(n3Down).get(0).owner());
    }

    @Test
    void drainedNodesGiveUpTheirVipsAndReceiveNone() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100, "n1"), vip("db", 101, "n1"));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table()
                .apply(new Command.Drain("n1", true, 0)).table();
        List<Command.Assign> p = plan(t, vips, Assigner.EligibleFor.ALWAYS);
        Map<String, Command.Assign> byVip = new HashMap<>();
        p.forEach(a -> byVip.put(a.vip(), a));
        assertTrue(byVip.get("web").handover());
        assertTrue(byVip.get("web").reason().contains("owner n1 drained"), byVip.get("web").reason());
        assertTrue(!"n1".equals(byVip.get("db").owner()), "a drained node receives nothing");
        // The two VIPs are spread over the two remaining nodes.
        assertTrue(!byVip.get("web").owner().equals(byVip.get("db").owner()), p.toString());
        // Every node drained: the owner keeps its VIP (there is nowhere to go), nothing new is assigned.
        VipTable all = t.apply(new Command.Drain("n2", true, 0)).table().apply(new Command.Drain("n3", true, 0)).table();
        assertEquals(List.of(), plan(all, List.of(vips.get(0)), Assigner.EligibleFor.ALWAYS));
    }

    @Test
    void aNodeThatLeftReceivesNothingUntilItRenews() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100, "n1", "n2"));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table()
                .apply(new Command.Leave("n1", 0)).table();
        // The leader still reaches n1 over Raft while it shuts down; it must not get its VIP straight back.
        List<Command.Assign> p = plan(t, vips, Assigner.EligibleFor.ALWAYS);
        assertEquals("n2", p.get(0).owner());
        VipTable back = t.apply(new Command.Renew("n1")).table();
        assertEquals(java.util.Set.of(), back.left());
        assertEquals("n1", plan(back, vips, Assigner.EligibleFor.ALWAYS).get(0).owner());
    }

    @Test
    void onlyNodesDefiningTheVipAlikeReceiveIt() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100, "n1"));
        VipTable t = VipTable.EMPTY
                .apply(new Command.Definitions("n1", Map.of("web", "198.18.0.200/24"))).table() // another address
                .apply(new Command.Definitions("n2", Map.of())).table()                         // does not know web
                .apply(new Command.Definitions("n3", Map.of("web", "198.18.0.100/24"))).table();
        List<Command.Assign> p = Assigner.plan(new Assigner.Inputs(t, vips, MEMBERS, MEMBERS, MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS));
        assertEquals("n3", p.get(0).owner());
        // An owner whose definition differs (say the leader was reloaded with a new address) hands over.
        VipTable owned = t.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        List<Command.Assign> move = Assigner.plan(new Assigner.Inputs(owned, vips, MEMBERS, MEMBERS, MEMBERS, true,
                0, Assigner.EligibleFor.ALWAYS));
        assertTrue(move.get(0).handover());
        assertEquals("n3", move.get(0).owner());
        assertTrue(move.get(0).reason().contains("owner n1 defines web differently (198.18.0.200/24)"),
                move.get(0).reason());
    }

    @Test
    void aStartingClusterWaitsForDefinitionsAndFirstCheckResults() throws Exception {
        List<VipSpec> vips = List.of(checked("web", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP, "n1"));
        Map<String, String> defs = Map.of("web", "198.18.0.100/24");
        VipTable t = VipTable.EMPTY.apply(new Command.Definitions("n2", defs)).table()
                .apply(new Command.Health("n2", Map.of("web", ""))).table();
        Assigner.Inputs early = new Assigner.Inputs(t, vips, MEMBERS, MEMBERS, MEMBERS, false, 0,
                Assigner.EligibleFor.ALWAYS);
        assertEquals(List.of(), Assigner.plan(early), "n1 and n3 have not reported yet: wait");
        VipTable all = t.apply(new Command.Definitions("n1", defs)).table()
                .apply(new Command.Definitions("n3", defs)).table()
                .apply(new Command.Health("n1", Map.of("web", ""))).table()
                .apply(new Command.Health("n3", Map.of("web", "exit 1"))).table();
        List<Command.Assign> p = Assigner.plan(new Assigner.Inputs(all, vips, MEMBERS, MEMBERS, MEMBERS, false, 0,
                Assigner.EligibleFor.ALWAYS));
        assertEquals("n1", p.get(0).owner(), "the preferred node, once everyone has reported");
        // A leader that has settled does not wait for a member that never reports.
        assertEquals("n2", Assigner.plan(new Assigner.Inputs(t, vips, MEMBERS, MEMBERS, MEMBERS, true, 0,
                Assigner.EligibleFor.ALWAYS)).get(0).owner());
    }

    @Test
    void drainMovesAVipNobodyPassesToAnotherReachableNodeUnderKeep() throws Exception {
        List<VipSpec> keep = List.of(checked("ops", 100, false, 0, VipSpec.UnhealthyPolicy.KEEP));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("ops", 0, 0, "n3", 0, "x")).table();
        for (String n : List.of("n1", "n2", "n3")) {
            t = t.apply(new Command.Health(n, Map.of("ops", "exit 1"))).table();
        }
        t = t.apply(new Command.Drain("n3", true, 0)).table();
        List<Command.Assign> p = plan(t, keep, Assigner.EligibleFor.ALWAYS);
        assertTrue(p.get(0).handover());
        assertTrue(!"n3".equals(p.get(0).owner()) && p.get(0).owner() != null, p.toString());
    }

    // ---- groups ----

    static List<VipSpec> group(String name, VipSpec... members) {
        return java.util.Arrays.stream(members).map(m -> m.inGroup(name, List.of(), List.of(), false, 0,
                VipSpec.DEFAULT_PREEMPT_HOLD_MS)).toList();
    }

    static VipSpec checked(VipSpec v) {
        return new VipSpec(v.name(), v.address(), v.prefix(), v.iface(), v.preferred(), List.of("port"), false, 0,
                VipSpec.UnhealthyPolicy.KEEP);
    }

    static Set<String> owners(VipTable t, String... vips) {
        Set<String> out = new java.util.TreeSet<>();
        for (String v : vips) {
            out.add(String.valueOf(t.vip(v).owner()));
        }
        return out;
    }

    @Test
    void aGroupIsPlacedOnOneNodeAndFailsOverWhole() throws Exception {
        List<VipSpec> vips = new ArrayList<>(group("svc", vip("a", 100), vip("b", 101), vip("c", 102)));
        vips.add(vip("d", 103));
        VipTable t = applyAll(known(VipTable.EMPTY, vips), Assigner.plan(known(VipTable.EMPTY, vips), vips, MEMBERS,
                MEMBERS, false, 0));
        assertEquals(1, owners(t, "a", "b", "c").size(), t.vips().toString());
        String owner = t.vip("a").owner();
        Set<String> rest = new java.util.TreeSet<>(MEMBERS);
        rest.remove(owner);
        List<Command.Assign> failover = Assigner.plan(t, vips, rest, MEMBERS, true, 0);
        assertEquals(List.of("a", "b", "c"), failover.stream().map(Command.Assign::vip).toList());
        assertEquals(1, failover.stream().map(Command.Assign::owner).distinct().count(), failover.toString());
        assertTrue(failover.stream().noneMatch(Command.Assign::handover), "the owner is dead: a failover");
        assertEquals(1, owners(applyAll(t, failover), "a", "b", "c").size());
    }

    @Test
    void aMembersFailingCheckMovesTheWholeGroupAndKeepsItOffNodesThatFailIt() throws Exception {
        List<VipSpec> vips = group("svc", vip("a", 100), checked(vip("b", 101)));
        VipTable t = known(VipTable.EMPTY, vips);
        for (String n : MEMBERS) {
            t = t.apply(new Command.Health(n, Map.of("b", n.equals("n2") ? "" : "refused"))).table();
        }
        // n1 and n3 fail b's check: the group goes to n2, the only node that may hold all of it
        t = applyAll(t, Assigner.plan(t, vips, MEMBERS, MEMBERS, true, 0));
        assertEquals(Set.of("n2"), owners(t, "a", "b"));
        // b's check now fails on n2 and passes on n3: both members move by handover, to n3
        t = t.apply(new Command.Health("n2", Map.of("b", "refused"))).table();
        t = t.apply(new Command.Health("n3", Map.of("b", ""))).table();
        List<Command.Assign> moves = Assigner.plan(t, vips, MEMBERS, MEMBERS, true, 0);
        assertEquals(List.of("a", "b"), moves.stream().map(Command.Assign::vip).toList());
        assertTrue(moves.stream().allMatch(m -> m.handover() && "n3".equals(m.owner())), moves.toString());
    }

    @Test
    void aMemberElsewhereJoinsItsGroupsOwner() throws Exception {
        List<VipSpec> vips = group("svc", vip("a", 100), vip("b", 101));
        VipTable t = known(VipTable.EMPTY, vips);
        t = t.apply(new Command.Assign("a", 0, 0, "n1", 0, "test")).table();
        t = t.apply(new Command.Assign("b", 0, 0, "n2", 0, "test")).table(); // as before the group was configured
        List<Command.Assign> plan = Assigner.plan(t, vips, MEMBERS, MEMBERS, true, 0);
        assertEquals(1, plan.size(), plan.toString());
        assertEquals("b", plan.get(0).vip());
        assertEquals("n1", plan.get(0).owner());
        assertTrue(plan.get(0).handover(), "n2 is alive: it lets go first");
    }

    @Test
    void togetherAppliesAllOrNone() throws Exception {
        List<VipSpec> vips = group("svc", vip("a", 100), vip("b", 101));
        VipTable t = known(VipTable.EMPTY, vips);
        Command.Together both = new Command.Together(List.of(new Command.Assign("a", 0, 0, "n1", 0, "x"),
                new Command.Assign("b", 0, 0, "n1", 0, "x")));
        VipTable.Applied ok = t.apply(both);
        assertTrue(ok.changed());
        assertEquals(Set.of("n1"), owners(ok.table(), "a", "b"));
        Command.Together stale = new Command.Together(List.of(new Command.Assign("a", 1, 0, "n2", 0, "x"),
                new Command.Assign("b", 0, 0, "n2", 0, "x"))); // b is at epoch 1 now
        VipTable.Applied refused = ok.table().apply(stale);
        assertTrue(!refused.changed() && refused.table() == ok.table(), "one stale member: nothing applies");
        assertEquals(stale, Command.decode(stale.encode()));
        Command.Together moved = new Command.Together(stale.assigns(), "n3", "alice (uid 1000)");
        assertEquals(moved, Command.decode(moved.encode()));
        assertEquals(null, CommandAuthority.refusal(moved, "n3", "n1"), "any member relays an operator's move");
        assertTrue(CommandAuthority.refusal(stale, "n3", "n1") != null, "only the leader places");
    }
}
