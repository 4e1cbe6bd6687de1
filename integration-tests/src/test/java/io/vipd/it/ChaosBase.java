package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.testbed.AddressSampler;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Steadiness;
import io.vipd.testbed.Testbed;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults against a running cluster with one VIP per host (so the Raft leader always owns one), judged by the
 * client-side ARP referee and by the hosts' kernel addresses. Assertions are about safety (never two MACs for one
 * VIP in one request round; an answering host carries the address) and recovery (after the fault heals, exactly one
 * owner per VIP and no stale address); timings are printed as benchmark figures only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ChaosBase {
    enum Fault { KILL, CRASH, PAUSE, PARTITION, LOSS }

    enum Target { LEADER, FOLLOWER, LISTENER }

    /** One VIP per host (v0, v1, ...); the daemons start once the address sampler runs. */
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(hosts()).vips(oneVipPerHost())
            .extraConfig(this::extraConfig).manualStart();
    protected Testbed bed; // set by the extension
    protected AddressSampler sampler;

    /** Read while the instance is constructed (for the extension): a constant, not a field's value. */
    abstract int hosts();

    String extraConfig() {
        return "";
    }

    /** How the benchmark lines name this cluster. */
    String label() {
        return hosts() + " hosts";
    }

    /** Whether host {@code i} may be made Raft leader ({@code vipctl lead}): a witness may not. */
    boolean mayLead(int i) {
        return true;
    }

    private List<String> oneVipPerHost() {
        List<String> vips = new ArrayList<>();
        for (int i = 0; i < hosts(); i++) {
            vips.add("v" + i);
        }
        return vips;
    }

    @BeforeAll
    void start() throws Exception {
        sampler = new AddressSampler(bed, bed.vips().values());
        bed.startAll();
    }

    /** Runs before the extension closes the testbed. */
    @AfterAll
    void stop() throws Exception {
        if (sampler != null) {
            System.out.println("[sampler] " + label() + ": " + sampler.slowPolls());
            sampler.close();
        }
    }

    /** Host answering {@code vip} in the last 300 ms, if exactly one did; else 0. */
    int answering(Inet4Address vip) {
        return new Steadiness(bed).answering(vip);
    }

    void awaitSteady(String when) {
        Steadiness steadiness = new Steadiness(bed);
        Testbed.waitUntil("steady cluster " + when, 60_000, steadiness::steady);
    }

    /** Recovery: the cluster becomes steady and stays so for a whole second, within a bound. */
    void awaitStable(String when) throws InterruptedException {
        Steadiness steadiness = new Steadiness(bed);
        assertTrue(steadiness.awaitStable(60_000) >= 0, "cluster steady for 1 s " + when + ": "
                + steadiness.problems(false));
    }

    /**
     * Safety over {@code obs}: one MAC per VIP per round, and every answering host carried the address (by the
     * kernel's announced address changes and by polling: {@link AddressSampler#carried}).
     */
    void assertSafe(List<ArpReferee.Observation> obs, String what) {
        Map<java.net.InetAddress, List<String>> dual = ArpReferee.dualAnswers(obs);
        assertTrue(dual.isEmpty(), what + ": several MACs answered one VIP in the same request round: " + dual);
        for (ArpReferee.Observation o : obs) {
            if (!o.gratuitous()) {
                int host = bed.hostOf(o.mac());
                assertTrue(sampler.carried(host, (java.net.Inet4Address) o.vip(), o.nanos(), 150_000_000L),
                        () -> what + ": " + bed.node(host) + " answered " + o.vip().getHostAddress()
                                + " without carrying the address ("
                                + sampler.describe(host, (java.net.Inet4Address) o.vip(), o.nanos()) + ")");
            }
        }
    }

    /** Host index → a VIP it answers for, for every host that answers one. */
    Map<Integer, Inet4Address> owners() {
        Map<Integer, Inet4Address> out = new java.util.TreeMap<>();
        bed.vips().values().forEach(v -> out.putIfAbsent(answering(v), v));
        out.remove(0);
        return out;
    }

    /**
     * Picks the host to fault so that it owns a VIP and is (or is not) the Raft leader, moving leadership with
     * {@code vipctl lead} where needed. Returns {host, a VIP it owns}.
     */
    Object[] pick(Target target) throws Exception {
        Map<Integer, Inet4Address> owners = owners();
        assertTrue(!owners.isEmpty(), "some host owns a VIP");
        int leader = bed.leader();
        assertNotEquals(0, leader, "a leader");
        int host;
        if (target == Target.LEADER) {
            // The leader may own no VIP (placement prefers hosts that do not lead): hand leadership to an owner
            // that may lead, not to a listener.
            host = owners.containsKey(leader) ? leader
                    : owners.keySet().stream().filter(this::mayLead).findFirst().orElse(0);
            if (host == 0) { // listeners own every VIP (they were steady first): move one to the leader
                String name = bed.vips().keySet().iterator().next();
                Inet4Address vip = bed.vips().get(name);
                for (int attempt = 0; attempt < 5 && answering(vip) != leader; attempt++) {
                    bed.vipctl(leader, "move", name, bed.node(leader));
                    long until = System.nanoTime() + 10_000_000_000L;
                    while (answering(vip) != leader && System.nanoTime() < until) {
                        Thread.sleep(100);
                    }
                }
                assertEquals(leader, answering(vip), "the leader was given " + name);
                owners = owners();
                host = leader;
            }
            if (host != leader) {
                bed.lead(host);
            }
        } else if (target == Target.LISTENER) { // a host that may not lead and owns a VIP
            host = owners.keySet().stream().filter(h -> !mayLead(h)).findFirst().orElse(0);
            assertTrue(host != 0, "a listener owns a VIP: " + owners);
        } else {
            host = owners.keySet().stream().filter(h -> h != leader).findFirst().orElse(0);
            if (host == 0) { // the leader owns every VIP: hand leadership to a host that owns none
                host = leader;
                int other = leader;
                for (int step = 1; step < bed.hostCount() && (other == leader || !mayLead(other)); step++) {
                    other = (leader + step - 1) % bed.hostCount() + 1;
                }
                bed.lead(other);
            }
        }
        awaitSteady("after choosing the target");
        return new Object[] {host, owners.get(host)};
    }

    void run(Fault fault, Target target) throws Exception {
        awaitSteady("before " + fault);
        Object[] picked = pick(target);
        int host = (int) picked[0];
        Inet4Address vip = (Inet4Address) picked[1];
        long t0 = System.nanoTime();
        switch (fault) {
            case KILL -> bed.kill9(host);
            case CRASH -> {
                bed.kill9(host);
                bed.link(host, false);
            }
            case PAUSE -> bed.pause(host);
            case PARTITION -> bed.isolate(host);
            case LOSS -> bed.loss(host, 20);
        }
        if (fault != Fault.LOSS) {
            // The VIP must move while the fault lasts.
            Testbed.waitUntil(vip.getHostAddress() + " answered by another host during " + fault, 30_000, () -> {
                int h = answering(vip);
                return h != 0 && h != host;
            });
            long first = bed.referee().since(t0).stream()
                    .filter(o -> o.vip().equals(vip) && bed.hostOf(o.mac()) != host)
                    .mapToLong(ArpReferee.Observation::nanos).min().orElseThrow();
            System.out.printf("[benchmark] %s, %s of the %s (%s): first ARP from the new owner after %d ms%n",
                    label(), fault, target.name().toLowerCase(), bed.node(host), (first - t0) / 1_000_000L);
        }
        long held = fault == Fault.PAUSE ? 5_000 : fault == Fault.KILL || fault == Fault.CRASH ? 1_000 : 6_000;
        Thread.sleep(Math.max(0, held - (System.nanoTime() - t0) / 1_000_000L));
        switch (fault) {
            case KILL -> bed.startDaemon(host);
            case CRASH -> {
                bed.startDaemon(host);
                Testbed.waitUntil("restarted daemon answers", 30_000, () -> bed.status(host) != null);
                bed.link(host, true);
            }
            case PAUSE -> bed.resume(host);
            case PARTITION, LOSS -> bed.heal(host);
        }
        awaitStable("after " + fault + " healed");
        List<ArpReferee.Observation> window = bed.referee().since(t0);
        assertSafe(window, fault + " of the " + target.name().toLowerCase());
        if (fault == Fault.KILL || fault == Fault.CRASH || fault == Fault.PAUSE || fault == Fault.PARTITION) {
            assertNotEquals(host, answering(vip), "the VIP stays with its new owner after " + fault + " heals");
        }
    }

    void restartEveryDaemonAtOnce() throws Exception {
        awaitSteady("before restarting all");
        long t0 = System.nanoTime();
        for (int i = 1; i <= bed.hostCount(); i++) {
            bed.kill9(i);
        }
        bed.startAll();
        awaitStable("after restarting every daemon");
        System.out.printf("[benchmark] %d hosts, all daemons killed and restarted: steady again after %d ms%n",
                bed.hostCount(), (System.nanoTime() - t0) / 1_000_000L);
        assertSafe(bed.referee().since(t0), "restart of every daemon");
        for (Inet4Address vip : bed.vips().values()) {
            int owners = 0;
            for (int i = 1; i <= bed.hostCount(); i++) {
                owners += bed.hasAddress(i, vip) ? 1 : 0;
            }
            assertEquals(1, owners, "one host carries " + vip.getHostAddress());
        }
    }
}
