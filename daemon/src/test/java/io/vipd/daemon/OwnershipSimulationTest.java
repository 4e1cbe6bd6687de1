package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Seeded chaos in simulated time: partitions (minority and majority sides, isolated owners and leaders), message
 * loss and delay, crashes and restarts, clocks at different rates. Safety is checked at every event; after the
 * faults heal, every VIP must have exactly one holder again.
 */
class OwnershipSimulationTest {
    static final long MS = SimulatedCluster.MS;
    private static ch.qos.logback.classic.Level daemonLogLevel;

    /** The daemon's roles log what they do at INFO; hundreds of simulated minutes of that would drown the output. */
    @org.junit.jupiter.api.BeforeAll
    static void quietDaemonLog() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "io.vipd");
        daemonLogLevel = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreDaemonLog() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.vipd")).setLevel(daemonLogLevel);
    }

    static List<VipSpec> vips(int count) throws Exception {
        List<VipSpec> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new VipSpec("v" + i, (Inet4Address) InetAddress.getByName("198.18.0." + (100 + i)), 24, "eth0",
                    List.of()));
        }
        return out;
    }

    static List<Arguments> seeds() {
        List<Arguments> out = new ArrayList<>();
        for (long seed = 1; seed <= Long.getLong("vipd.sim.seeds", 24); seed++) {
            out.add(Arguments.of(seed, seed % 3 == 0 ? 5 : 3, seed % 2 == 0 ? "fast" : "default"));
        }
        return out;
    }

    /** Applies a random fault every 0.5–3 s for {@code duration}; at most a minority is ever crashed at once. */
    static void chaos(SimulatedCluster sim, Random rnd, long duration) {
        long end = sim.now + duration;
        while (sim.now < end) {
            int kind = rnd.nextInt(7);
            int victim = rnd.nextInt(sim.n);
            switch (kind) {
                case 0 -> { // split into a random minority and majority
                    sim.heal();
                    for (int i = 0; i < sim.n; i++) {
                        sim.partitionGroup[i] = rnd.nextInt(2);
                    }
                    sim.trace("PARTITION " + java.util.Arrays.toString(sim.partitionGroup));
                }
                case 1 -> { // isolate one node, often the owner of a VIP
                    sim.heal();
                    String owner = sim.ownerOf("v0");
                    int target = owner != null && rnd.nextBoolean() ? Integer.parseInt(owner.substring(1)) - 1 : victim;
                    sim.partitionGroup[target] = 1;
                    sim.trace("ISOLATE n" + (target + 1));
                }
                case 2 -> sim.dropRate = rnd.nextDouble() * 0.3;
                case 3 -> sim.maxDelay = (long) (rnd.nextDouble() * 150) * MS;
                case 4 -> {
                    if (sim.mayCrash(victim)) {
                        sim.crash(victim);
                    }
                }
                case 5 -> {
                    if (!sim.nodes[victim].up) {
                        sim.restart(victim);
                    }
                }
                default -> {
                    sim.heal();
                    sim.trace("HEAL");
                }
            }
            sim.runFor((500 + rnd.nextInt(2500)) * MS);
        }
    }

    static void healAndCheckRecovery(SimulatedCluster sim) {
        sim.heal();
        for (int i = 0; i < sim.n; i++) {
            if (!sim.nodes[i].up) {
                sim.restart(i);
            }
        }
        sim.runFor(15_000 * MS);
        for (VipSpec v : sim.vips) {
            String owner = sim.ownerOf(v.name());
            assertTrue(owner != null, "VIP " + v.name() + " has an owner once everything is connected");
            assertEquals(List.of(owner), sim.holdersOf(v.name()), "exactly the owner holds " + v.name());
        }
        assertTrue(sim.tablesAgree(), "every node applied the same table");
        // Settled means settled: with nothing failing, no VIP changes owner again (no flapping after the faults).
        java.util.Map<String, Long> epochs = new java.util.TreeMap<>();
        sim.vips.forEach(v -> epochs.put(v.name(), sim.nodes[0].table.vip(v.name()).epoch()));
        sim.runFor(10_000 * MS);
        java.util.Map<String, Long> later = new java.util.TreeMap<>();
        sim.vips.forEach(v -> later.put(v.name(), sim.nodes[0].table.vip(v.name()).epoch()));
        assertEquals(epochs, later, "owner changes after the cluster settled");
    }

    /** Owner changes of {@code vip} in a window, as the replicated table records them (an epoch per change). */
    static List<String> ownerChanges(SimulatedCluster sim, String vip, long windowNanos) {
        List<String> owners = new ArrayList<>();
        long end = sim.now + windowNanos;
        long epoch = -1;
        while (sim.now < end) {
            sim.runFor(10 * MS);
            io.vipd.cluster.VipState v = sim.nodes[0].table.vip(vip);
            if (v.epoch() != epoch && v.holder() != null) {
                epoch = v.epoch();
                owners.add(v.holder());
            }
        }
        return owners;
    }

    /**
     * The flap the field reported, in the simulation: a preferred owner (preempt on, no delay) cut off from its
     * peers for 6 s and then healed gets its VIP back once. Before nodes had to earn VIPs, the leader handed it back
     * as soon as the node was reachable, before its renewals resumed, and it was lost and returned again.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("flapSeeds")
    void aHealedPreferredOwnerGetsItsVipBackOnceNotAgainAndAgain(long seed) throws Exception {
        VipSpec web = new VipSpec("v0", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24, "eth0",
                List.of("n1", "n2", "n3"), List.of(), true, 0, VipSpec.UnhealthyPolicy.KEEP);
        SimulatedCluster sim = new SimulatedCluster(seed, 3, List.of(web), Timing.DEFAULT);
        sim.runFor(8_000 * MS);
        assertEquals("n1", sim.ownerOf("v0"));
        sim.partitionGroup[0] = 1;
        sim.trace("ISOLATE n1");
        List<String> during = ownerChanges(sim, "v0", 6_000 * MS);
        sim.heal();
        sim.trace("HEAL");
        List<String> after = ownerChanges(sim, "v0", 10_000 * MS);
        List<String> all = new ArrayList<>(during);
        for (String o : after) {
            if (all.isEmpty() || !all.get(all.size() - 1).equals(o)) {
                all.add(o);
            }
        }
        assertEquals(List.of("n1", "n2", "n1"), all, "v0's owners after n1 was cut off and healed (seed " + seed + ")");
        assertEquals(List.of(), sim.violations);
    }

    /**
     * The owner is cut off together with the Raft leadership (it was the leader): every node's renewals pause for
     * the election and must earn VIPs afresh. Its VIP goes once to the node it prefers next, not first to whichever
     * node earned again first and then, by preemption, to the preferred one; and back once after the heal. The
     * other VIPs keep their owners through the election.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("flapSeeds")
    void anOwnerCutOffWithTheLeadershipMovesOnceToTheNodeItPrefersNext(long seed) throws Exception {
        List<VipSpec> vips = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // v<i> prefers n<i+1>, then the next two in turn
            vips.add(new VipSpec("v" + i, (Inet4Address) InetAddress.getByName("198.18.0." + (100 + i)), 24, "eth0",
                    List.of(SimulatedCluster.name(i), SimulatedCluster.name((i + 1) % 3),
                            SimulatedCluster.name((i + 2) % 3)), List.of(), true, 0, VipSpec.UnhealthyPolicy.KEEP));
        }
        SimulatedCluster sim = new SimulatedCluster(seed, 3, vips, Timing.DEFAULT);
        sim.runFor(8_000 * MS);
        int leader = -1;
        for (int i = 0; i < 3; i++) {
            assertEquals(SimulatedCluster.name(i), sim.ownerOf("v" + i));
            if (sim.nodes[i].consensus.isLeaderReady()) {
                leader = i;
            }
        }
        assertTrue(leader >= 0, "a ready leader after 8 s");
        String cut = SimulatedCluster.name(leader);
        String next = SimulatedCluster.name((leader + 1) % 3);
        sim.partitionGroup[leader] = 1;
        sim.trace("ISOLATE the leader " + cut);
        Map<String, List<String>> owners = new java.util.TreeMap<>();
        long end = sim.now + 16_000 * MS;
        long healAt = sim.now + 6_000 * MS;
        while (sim.now < end) {
            if (sim.now >= healAt && healAt > 0) {
                sim.heal();
                sim.trace("HEAL");
                healAt = -1;
            }
            sim.runFor(10 * MS);
            for (VipSpec v : vips) {
                io.vipd.cluster.VipState s = sim.nodes[(leader + 1) % 3].table.vip(v.name());
                List<String> seq = owners.computeIfAbsent(v.name(), k -> new ArrayList<>(List.of(
                        sim.ownerOf(k) == null ? "-" : sim.ownerOf(k))));
                if (s.holder() != null && !s.holder().equals(seq.get(seq.size() - 1))) {
                    seq.add(s.holder());
                }
            }
        }
        assertEquals(List.of(cut, next, cut), owners.get("v" + leader),
                "v" + leader + "'s owners after its owner, the leader, was cut off and healed (seed " + seed + ")");
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                assertEquals(List.of(SimulatedCluster.name(i)), owners.get("v" + i), "v" + i + " kept its owner");
            }
        }
        assertEquals(List.of(), sim.violations);
    }

    /** Seeds 1-8 (more with -Dvipd.sim.flapseeds=N), and 90: before failovers waited for earning nodes, the leader
     *  cut off with its VIP's owner made that VIP go to the wrong node first in this seed. */
    static List<Long> flapSeeds() {
        List<Long> out = new ArrayList<>();
        for (long seed = 1; seed <= Long.getLong("vipd.sim.flapseeds", 8); seed++) {
            out.add(seed);
        }
        if (!out.contains(90L)) {
            out.add(90L);
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}, {1} nodes, {2} profile")
    @MethodSource("seeds")
    void neverTwoOwnersAndEveryVipOwnedAfterHealing(long seed, int nodes, String profile) throws Exception {
        settleChaosAndHeal(new SimulatedCluster(seed, nodes, vips(4), Timing.profile(profile)), seed, seed * 7919);
    }

    /**
     * A settled cluster (one holder per VIP), a minute of random faults, then everything healed: no safety violation
     * throughout, and every VIP owned by exactly its holder afterwards ({@link #healAndCheckRecovery}).
     */
    static void settleChaosAndHeal(SimulatedCluster sim, long seed, long chaosSeed) {
        sim.runFor(5_000 * MS);
        for (VipSpec v : sim.vips) {
            assertEquals(1, sim.holdersOf(v.name()).size(), "settled cluster: one holder of " + v.name());
        }
        chaos(sim, new Random(chaosSeed), 60_000 * MS);
        assertEquals(List.of(), sim.violations, "safety violations (seed " + seed + ")");
        healAndCheckRecovery(sim);
        assertEquals(List.of(), sim.violations, "safety violations after healing (seed " + seed + ")");
    }

    /**
     * Two VIP hosts and a witness (n3) under the same chaos: never two holders, the witness never holds anything,
     * and after healing every VIP is owned (by n1 or n2).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("flapSeeds")
    void twoHostsAndAWitnessNeverTwoOwnersAndTheWitnessHoldsNothing(long seed) throws Exception {
        SimulatedCluster sim = new SimulatedCluster(seed, 3, vips(4), Timing.DEFAULT, java.util.Set.of("n3"));
        settleChaosAndHeal(sim, seed, seed * 104729);
        for (VipSpec v : sim.vips) {
            assertTrue(List.of("n1", "n2").contains(sim.ownerOf(v.name())), v.name() + ": " + sim.ownerOf(v.name()));
        }
    }

    /**
     * Three voters and two listeners under the same chaos: listeners hold VIPs (the placement spreads four VIPs over
     * five hosts), and never two holders.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("flapSeeds")
    void listenersHoldVipsAndNeverTwoOwners(long seed) throws Exception {
        SimulatedCluster sim = new SimulatedCluster(seed, 5, vips(4), Timing.DEFAULT, java.util.Set.of(),
                java.util.Set.of("n4", "n5"), java.util.Set.of());
        sim.runFor(5_000 * MS);
        assertTrue(sim.vips.stream().anyMatch(v -> List.of("n4", "n5").contains(sim.ownerOf(v.name()))),
                "a listener holds a VIP: " + sim.vips.stream().map(v -> sim.ownerOf(v.name())).toList());
        settleChaosAndHeal(sim, seed, seed * 6151);
    }

    /**
     * Membership changes made by the daemon's own {@link MembershipChanges} while faults come and go: hosts added
     * (booted first), members removed (drained first) and replaced, each one change at a time as the leader allows.
     * Never two holders; afterwards every VIP is held by exactly one member, and no removed host holds anything.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("flapSeeds")
    void membershipChangesUnderFaultsNeverTwoOwners(long seed) throws Exception {
        SimulatedCluster sim = new SimulatedCluster(seed, 6, vips(4), Timing.DEFAULT, java.util.Set.of(),
                java.util.Set.of(), java.util.Set.of("n4", "n5", "n6"));
        Random rnd = new Random(seed * 31337);
        sim.runFor(5_000 * MS);
        java.util.Set<String> removed = new java.util.TreeSet<>();
        List<String> done = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        io.vipd.control.Caller operator = new io.vipd.control.Caller(1, 0, "root", java.util.Set.of(0));
        for (int round = 0; round < 10; round++) {
            chaos(sim, rnd, 1_500 * MS);
            if (rnd.nextBoolean()) { // half the changes under faults, half once the members are back
                sim.heal();
                io.vipd.cluster.Membership now = sim.latestMembership();
                for (int i = 0; i < sim.n; i++) {
                    if (!sim.nodes[i].up && now.contains(SimulatedCluster.name(i))) {
                        sim.restart(i);
                    }
                }
                sim.runFor(2_000 * MS);
            }
            int leader = sim.readyLeader();
            if (leader < 0) {
                continue;
            }
            io.vipd.cluster.Membership m = sim.nodes[leader].membership();
            List<String> outside = new ArrayList<>();
            for (int i = 0; i < sim.n; i++) {
                if (!m.contains(SimulatedCluster.name(i)) && !removed.contains(SimulatedCluster.name(i))) {
                    outside.add(SimulatedCluster.name(i));
                }
            }
            List<String> removable = m.ids().stream().filter(id -> !id.equals(SimulatedCluster.name(leader)))
                    .toList();
            MembershipChanges changes = sim.changes(leader);
            int kind = rnd.nextInt(3);
            try {
                if (kind == 0 && !outside.isEmpty() && m.peers().size() < 5) {
                    String id = outside.get(rnd.nextInt(outside.size()));
                    sim.restart(Integer.parseInt(id.substring(1)) - 1); // the new host boots first
                    sim.runFor(500 * MS);
                    done.add(changes.add(operator, id, sim.peer(id).address(), MembershipChanges.Role.VOTER));
                } else if (kind == 1 && m.peers().size() > 3) {
                    String id = removable.get(rnd.nextInt(removable.size()));
                    done.add(changes.remove(operator, id));
                    removed.add(id);
                } else if (kind == 2 && !outside.isEmpty()) {
                    String old = removable.get(rnd.nextInt(removable.size()));
                    String id = outside.get(rnd.nextInt(outside.size()));
                    sim.restart(Integer.parseInt(id.substring(1)) - 1);
                    sim.runFor(500 * MS);
                    done.add(changes.replace(operator, old, id, sim.peer(id).address()));
                    removed.add(old);
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                sim.trace("MEMBERSHIP REFUSED " + e.getMessage());
                refused.add(e.getMessage());
            }
            assertEquals(List.of(), sim.violations, "safety violations (seed " + seed + ")");
        }
        sim.heal();
        io.vipd.cluster.Membership members = sim.latestMembership();
        for (int i = 0; i < sim.n; i++) {
            if (!sim.nodes[i].up && members.contains(SimulatedCluster.name(i))) {
                sim.restart(i);
            }
        }
        sim.runFor(15_000 * MS);
        assertEquals(List.of(), sim.violations, "safety violations after healing (seed " + seed + ")");
        members = sim.latestMembership();
        for (VipSpec v : sim.vips) {
            String owner = sim.ownerOf(v.name());
            assertTrue(owner != null && members.contains(owner), v.name() + " owned by a member: " + owner
                    + " (members " + members.ids() + ", changes " + done + ")");
            assertEquals(List.of(owner), sim.holdersOf(v.name()), "exactly the owner holds " + v.name());
        }
        assertFalse(done.isEmpty(), "no membership change was made (seed " + seed + "); refused: " + refused);
        System.out.println("[sim membership seed " + seed + "] " + done.size() + " changes: members now "
                + members.ids());
    }

    /**
     * Two groups of VIPs (three and two members, one group checked and preferring n2) and a VIP alone, under the
     * chaos of the other tests, with the members' checks flapping and operators draining nodes: never two holders
     * of a VIP, never a group split over two hosts, and after healing every group whole on one host.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void groupsMoveAsOneAndAreNeverSplit(long seed, int nodes, String profile) throws Exception {
        List<VipSpec> vips = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            VipSpec v = new VipSpec("v" + i, (Inet4Address) InetAddress.getByName("198.18.0." + (100 + i)), 24,
                    "eth0", List.of());
            vips.add(i < 3 ? v.inGroup("a", List.of(), List.of(), false, 0, VipSpec.DEFAULT_PREEMPT_HOLD_MS)
                    : i < 5 ? v.inGroup("b", List.of("n2"), i == 3 ? List.of("port") : List.of(), true, 0, 1000)
                    : v);
        }
        SimulatedCluster sim = new SimulatedCluster(seed, nodes, vips, Timing.profile(profile));
        for (int i = 0; i < sim.n; i++) {
            setHealth(sim, i, "v3", true);
        }
        Random rnd = new Random(seed * 7207);
        sim.runFor(5_000 * MS);
        for (int round = 0; round < 20; round++) {
            int node = rnd.nextInt(sim.n);
            switch (rnd.nextInt(4)) {
                case 0 -> setHealth(sim, node, "v3", rnd.nextBoolean());
                case 1 -> sim.nodes[node].submit(new io.vipd.cluster.Command.Drain(SimulatedCluster.name(node),
                        rnd.nextBoolean(), sim.now / MS, SimulatedCluster.name(node), "root"));
                default -> chaos(sim, rnd, 1_000 * MS);
            }
            sim.runFor((200 + rnd.nextInt(1500)) * MS);
            assertEquals(List.of(), sim.violations, "safety violations (seed " + seed + ")");
        }
        for (int i = 0; i < sim.n; i++) {
            setHealth(sim, i, "v3", true);
            sim.nodes[i].submit(new io.vipd.cluster.Command.Drain(SimulatedCluster.name(i), false, sim.now / MS,
                    SimulatedCluster.name(i), "root"));
        }
        healAndCheckRecovery(sim);
        assertEquals(List.of(), sim.violations, "safety violations after healing (seed " + seed + ")");
        assertEquals(1, java.util.stream.Stream.of("v0", "v1", "v2").map(sim::ownerOf).distinct().count(),
                "group a whole on one host");
        assertEquals(1, java.util.stream.Stream.of("v3", "v4").map(sim::ownerOf).distinct().count(),
                "group b whole on one host");
    }

    /** VIPs with a health check, preference lists, and preemption with and without delay. */
    static List<VipSpec> checkedVips() throws Exception {
        List<VipSpec> out = new ArrayList<>();
        out.add(new VipSpec("v0", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24, "eth0",
                List.of("n1", "n2"), List.of("svc"), true, 1000, VipSpec.UnhealthyPolicy.KEEP));
        out.add(new VipSpec("v1", (Inet4Address) InetAddress.getByName("198.18.0.101"), 24, "eth0",
                List.of("n2"), List.of("svc"), false, 0, VipSpec.UnhealthyPolicy.RELEASE));
        out.add(new VipSpec("v2", (Inet4Address) InetAddress.getByName("198.18.0.102"), 24, "eth0",
                List.of("n3", "n1"), List.of("svc"), true, 0, VipSpec.UnhealthyPolicy.KEEP));
        out.add(new VipSpec("v3", (Inet4Address) InetAddress.getByName("198.18.0.103"), 24, "eth0",
                List.of(), List.of(), false, 0, VipSpec.UnhealthyPolicy.KEEP));
        return out;
    }

    static void setLink(SimulatedCluster sim, int node, boolean up) {
        sim.nodes[node].localLinks.put("eth0", up ? "up" : "no carrier");
        sim.trace("LINK n" + (node + 1) + " eth0 " + (up ? "up" : "no carrier"));
    }

    static void setHealth(SimulatedCluster sim, int node, String vip, boolean ok) {
        sim.nodes[node].localHealth.put(vip, ok ? "" : "check failed");
        sim.trace("HEALTH n" + (node + 1) + " " + vip + (ok ? " ok" : " failing"));
    }

    /**
     * The moves that do not wait for a failover: health checks and VIP links flapping, operators moving VIPs (to any node,
     * reachable or not, as a buggy or racing client might), draining and undraining, preemption, all mixed with
     * partitions, loss, delays and crashes. Handovers must never let two hosts answer.
     */
    @ParameterizedTest(name = "seed {0}, {1} nodes, {2} profile")
    @MethodSource("seeds")
    void handoversHealthFlapsMovesAndDrainsNeverMakeTwoHolders(long seed, int nodes, String profile)
            throws Exception {
        SimulatedCluster sim = new SimulatedCluster(seed, nodes, checkedVips(), Timing.profile(profile));
        for (int i = 0; i < nodes; i++) {
            for (String v : List.of("v0", "v1", "v2")) {
                setHealth(sim, i, v, true);
            }
            setLink(sim, i, true);
        }
        sim.runFor(5_000 * MS);
        Random rnd = new Random(seed * 104729);
        long end = sim.now + 60_000 * MS;
        int moves = 0;
        for (int step = 0; sim.now < end; step++) {
            int node = rnd.nextInt(nodes);
            String vip = "v" + rnd.nextInt(4);
            switch (step % 4 == 0 ? 2 : rnd.nextInt(5)) { // every fourth step at least is a move
                case 0 -> setHealth(sim, node, "v" + rnd.nextInt(3), rnd.nextInt(3) > 0);
                case 1 -> { // a VIP link goes down or comes back: the owner's VIPs leave it by handover
                    if (rnd.nextInt(3) == 0) {
                        setLink(sim, node, rnd.nextBoolean());
                    } else {
                        setHealth(sim, node, "v" + rnd.nextInt(3), rnd.nextInt(3) > 0);
                    }
                }
                case 2 -> { // an operator moves a VIP from whatever node they are on
                    SimulatedCluster.Node via = sim.nodes[rnd.nextInt(nodes)];
                    long epoch = via.table.vip(vip).epoch();
                    String target = "n" + (node + 1);
                    sim.trace("MOVE " + vip + " to " + target + " via " + via.name);
                    via.submit(new io.vipd.cluster.Command.Move(vip, epoch, target, 0, via.name, "sim"));
                    moves++;
                }
                case 3 -> sim.nodes[rnd.nextInt(nodes)].submit(
                        new io.vipd.cluster.Command.Drain("n" + (node + 1), rnd.nextBoolean(), 0));
                default -> chaos(sim, rnd, 1);
            }
            sim.runFor((100 + rnd.nextInt(1500)) * MS);
        }
        assertEquals(List.of(), sim.violations, "safety violations (seed " + seed + ")");
        assertTrue(moves > 2, "the run should have tried moves");
        // Everything healthy and undrained again: every VIP ends with exactly one holder.
        sim.heal();
        for (int i = 0; i < nodes; i++) {
            if (!sim.nodes[i].up) {
                sim.restart(i);
            }
            for (String v : List.of("v0", "v1", "v2")) {
                setHealth(sim, i, v, true);
            }
            setLink(sim, i, true);
        }
        for (int round = 0; round < 10; round++) { // a drain request is not retried by itself: repeat it
            sim.runFor(500 * MS);
            for (int i = 0; i < nodes; i++) {
                sim.nodes[round % nodes].submit(new io.vipd.cluster.Command.Drain("n" + (i + 1), false, 0));
            }
        }
        healAndCheckRecovery(sim);
        assertEquals(List.of(), sim.violations, "safety violations after healing (seed " + seed + ")");
        // Preempt with no delay: v2 is back on its first preference.
        assertEquals("n3", sim.ownerOf("v2"), "v2 prefers n3 with preempt on");
    }

    @Test
    void aPlannedMoveIsFastAndNeverOverlaps() throws Exception {
        SimulatedCluster sim = new SimulatedCluster(7, 3, vips(1), Timing.DEFAULT);
        sim.runFor(5_000 * MS);
        String from = sim.ownerOf("v0");
        String to = from.equals("n1") ? "n2" : "n1";
        SimulatedCluster.Node via = sim.nodes[2];
        via.submit(new io.vipd.cluster.Command.Move("v0", via.table.vip("v0").epoch(), to, 0, via.name, "sim"));
        long start = sim.now;
        long gapStart = -1;
        long moved = -1;
        while (sim.now - start < 2_000 * MS) {
            sim.runFor(MS);
            List<String> h = sim.holdersOf("v0");
            if (h.isEmpty() && gapStart < 0) {
                gapStart = sim.now;
            }
            if (h.equals(List.of(to))) {
                moved = sim.now;
                break;
            }
        }
        assertTrue(moved > 0, "the target holds the VIP after a move");
        // Far below the failover timeout: the old owner confirmed, nobody waited for a lease to run out.
        assertTrue(moved - gapStart < Timing.DEFAULT.failoverTimeoutMs() / 2 * MS,
                "gap " + (moved - gapStart) / MS + " ms");
        assertEquals(List.of(), sim.violations);
    }

    @Test
    void isolatedOwnerLetsGoBeforeTheMajorityMovesItsVip() throws Exception {
        SimulatedCluster sim = new SimulatedCluster(42, 3, vips(1), Timing.DEFAULT);
        sim.runFor(5_000 * MS);
        String owner = sim.ownerOf("v0");
        int o = Integer.parseInt(owner.substring(1)) - 1;
        sim.partitionGroup[o] = 1;
        long cut = sim.now;
        // Within the lease the isolated owner may still hold; afterwards it must not.
        sim.runFor(Timing.DEFAULT.leaseMs() * 11 / 10 * MS);
        assertFalse(sim.holdersOf("v0").contains(owner), "isolated owner released after its lease");
        sim.runFor(5_000 * MS);
        String moved = sim.ownerOf("v0");
        assertTrue(moved != null && !moved.equals(owner), "majority side took the VIP over");
        assertEquals(List.of(moved), sim.holdersOf("v0"));
        assertEquals(List.of(), sim.violations);
        assertTrue(sim.now - cut > 0);
    }

    /** The checker is not vacuous: a failover timeout shorter than the lease produces two holders. */
    @Test
    void unsafeTimingIsCaught() throws Exception {
        Timing unsafe = new Timing(300, 600, 2000, 100, 300);
        int caught = 0;
        for (long seed = 1; seed <= 5; seed++) {
            SimulatedCluster sim = new SimulatedCluster(seed, 3, vips(1), unsafe);
            sim.runFor(5_000 * MS);
            int o = Integer.parseInt(sim.ownerOf("v0").substring(1)) - 1;
            sim.partitionGroup[o] = 1;
            sim.runFor(3_000 * MS);
            if (sim.violations.stream().anyMatch(v -> v.contains("held by"))) {
                caught++;
            }
        }
        assertEquals(5, caught, "every seed shows two holders with an unsafe failover timeout");
    }

    /**
     * Reloads rolling through the cluster one node at a time (as an operator does), adding, removing and
     * redefining VIPs, mixed with partitions, loss, delays and crashes: no address is ever answered by two hosts,
     * and once all nodes have the final file, each of its VIPs has exactly one holder and removed ones none.
     */
    @ParameterizedTest(name = "seed {0}, {1} nodes, {2} profile")
    @MethodSource("seeds")
    void reloadsThatAddRemoveAndRedefineVipsNeverMakeTwoHolders(long seed, int nodes, String profile)
            throws Exception {
        List<VipSpec> v0v1 = vips(2);
        SimulatedCluster sim = new SimulatedCluster(seed, nodes, v0v1, Timing.profile(profile));
        sim.runFor(6_000 * MS);
        Random rnd = new Random(seed * 7919);
        VipSpec v2 = new VipSpec("v2", (Inet4Address) InetAddress.getByName("198.18.0.102"), 24, "eth0", List.of());
        VipSpec v0moved = new VipSpec("v0", (Inet4Address) InetAddress.getByName("198.18.0.110"), 24, "eth0",
                List.of());
        List<List<VipSpec>> files = List.of(
                List.of(v0v1.get(0), v0v1.get(1), v2),   // v2 added
                List.of(v0v1.get(0), v2),                // v1 removed
                List.of(v0moved, v2));                   // v0 redefined
        for (List<VipSpec> file : files) {
            for (int i = 0; i < nodes; i++) {
                sim.nodes[i].reload(file);
                if (rnd.nextInt(3) == 0) {
                    chaos(sim, rnd, 1);
                }
                sim.runFor((100 + rnd.nextInt(1500)) * MS);
            }
            sim.runFor((1_000 + rnd.nextInt(3_000)) * MS);
        }
        assertEquals(List.of(), sim.violations, "safety violations (seed " + seed + ")");
        sim.heal();
        for (int i = 0; i < nodes; i++) {
            if (!sim.nodes[i].up) {
                sim.restart(i);
            }
        }
        sim.runFor(15_000 * MS);
        assertEquals(List.of(), sim.violations, "safety violations after healing (seed " + seed + ")");
        for (VipSpec v : files.get(files.size() - 1)) {
            List<String> holders = new ArrayList<>();
            for (SimulatedCluster.Node node : sim.nodes) {
                if (node.up && node.host.answers(v.address())) {
                    holders.add(node.name);
                }
            }
            assertEquals(1, holders.size(), v.name() + " " + v.cidr() + " holders (seed " + seed + "): " + holders);
        }
        for (InetAddress gone : List.of(v0v1.get(1).address(), v0v1.get(0).address())) {
            for (SimulatedCluster.Node node : sim.nodes) {
                assertFalse(node.up && node.host.answers(gone), node.name + " still answers " + gone.getHostAddress()
                        + " (seed " + seed + ")");
            }
        }
    }
}
