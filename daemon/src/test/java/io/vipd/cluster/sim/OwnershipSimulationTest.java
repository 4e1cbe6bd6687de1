package io.vipd.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
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
                    long down = java.util.Arrays.stream(sim.nodes).filter(x -> !x.up).count();
                    if (sim.nodes[victim].up && (down + 1) * 2 < sim.n) {
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
    }

    @ParameterizedTest(name = "seed {0}, {1} nodes, {2} profile")
    @MethodSource("seeds")
    void neverTwoOwnersAndEveryVipOwnedAfterHealing(long seed, int nodes, String profile) throws Exception {
        SimulatedCluster sim = new SimulatedCluster(seed, nodes, vips(4), Timing.profile(profile));
        sim.runFor(5_000 * MS);
        for (VipSpec v : sim.vips) {
            assertEquals(1, sim.holdersOf(v.name()).size(), "settled cluster: one holder of " + v.name());
        }
        chaos(sim, new Random(seed * 7919), 60_000 * MS);
        assertEquals(List.of(), sim.violations, "safety violations (seed " + seed + ")");
        healAndCheckRecovery(sim);
        assertEquals(List.of(), sim.violations, "safety violations after healing (seed " + seed + ")");
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
}
