package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.Announce;
import io.vipd.config.VipSpec;
import io.vipd.host.FakeHostNetwork;
import io.vipd.host.HostAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HostActuatorTest {
    static final long MS = 1_000_000L;
    static final long FAR = 1_000_000 * MS;

    static VipSpec web() throws Exception {
        return new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24, "eth0", List.of());
    }

    final FakeHostNetwork net = new FakeHostNetwork("eth0");
    final AtomicLong clock = new AtomicLong();

    HostActuator actuator(Announce announce) throws Exception {
        return new HostActuator(net, net.fence(), List.of(web()), announce, clock::get);
    }

    List<String> actionsWithout(String prefix) {
        return net.actions.stream().filter(a -> !a.startsWith(prefix)).toList();
    }

    @Test
    void acquireAddsOpensTheFenceUntilTheDeadlineThenAnnounces() throws Exception {
        HostActuator a = actuator(new Announce(3, 100, 10_000));
        a.sync(Map.of("web", 1L), 500 * MS, 0);
        assertEquals(List.of("add 198.18.0.100/24 eth0 lifetime 3", "fence 198.18.0.100 500ms",
                "arp 198.18.0.100 eth0"), net.actions);
    }

    @Test
    void burstThenRefresh() throws Exception {
        HostActuator a = actuator(new Announce(3, 100, 10_000));
        for (long t : new long[] {0, 50, 100, 200, 5_000}) {
            clock.set(t * MS);
            a.sync(Map.of("web", 1L), FAR, t * MS);
        }
        assertEquals(3, net.actions.stream().filter(s -> s.startsWith("arp")).count(), "three frames 100 ms apart");
        clock.set(10_200 * MS);
        a.sync(Map.of("web", 1L), FAR, 10_200 * MS);
        assertEquals(4, net.actions.stream().filter(s -> s.startsWith("arp")).count(), "refresh after 10 s");
        // sync ran at 5 s and 10.2 s after the first refresh fell due (1 s): one refresh each
        assertEquals(2, net.actions.stream().filter(s -> s.startsWith("refresh")).count(), net.actions.toString());
    }

    @Test
    void renewalMovesTheFenceDeadline() throws Exception {
        HostActuator a = actuator(Announce.DEFAULT);
        a.sync(Map.of("web", 1L), 500 * MS, 0);
        clock.set(100 * MS);
        a.sync(Map.of("web", 1L), 500 * MS, 100 * MS);
        assertEquals(1, net.actions.stream().filter(s -> s.startsWith("fence ")).count(), "unchanged: no update");
        a.sync(Map.of("web", 1L), 600 * MS, 100 * MS);
        assertEquals("fence 198.18.0.100 500ms", net.actions.get(net.actions.size() - 1));
    }

    @Test
    void releaseClosesTheFenceBeforeRemovingTheAddressAndStopsAnnouncing() throws Exception {
        HostActuator a = actuator(Announce.DEFAULT);
        a.sync(Map.of("web", 1L), FAR, 0);
        net.actions.clear();
        a.sync(Map.of(), FAR, 10 * MS);
        assertEquals(List.of("fence closed", "remove 198.18.0.100/24 eth0"), net.actions);
        a.sync(Map.of(), FAR, 20_000 * MS);
        assertEquals(2, net.actions.size(), "a non-owner never sends ARP for the VIP");
        assertTrue(net.addresses.isEmpty());
    }

    @Test
    void expiredLeaseReleasesEvenIfStillListedAsOwned() throws Exception {
        HostActuator a = actuator(Announce.DEFAULT);
        a.sync(Map.of("web", 1L), 500 * MS, 0);
        net.actions.clear();
        a.sync(Map.of("web", 1L), 500 * MS, 500 * MS);
        assertEquals(List.of("fence closed", "remove 198.18.0.100/24 eth0"), net.actions);
    }

    @Test
    void aStallBeforeTheFenceUpdateClosesItAtOnce() throws Exception {
        // The clock reads 0 when the timeout is computed, but 600 ms have passed when the kernel call returns.
        long[] reads = {0, 600 * MS};
        int[] i = {0};
        HostActuator a = new HostActuator(net, net.fence(), List.of(web()), Announce.DEFAULT,
                () -> reads[Math.min(i[0]++, 1)]);
        a.sync(Map.of("web", 1L), 500 * MS, 0);
        assertEquals(List.of("add 198.18.0.100/24 eth0 lifetime 3", "fence 198.18.0.100 500ms", "fence closed"),
                actionsWithout("arp"));
    }

    @Test
    void startUpInstallsTheFenceThenRemovesStaleVipAddressesButNotOthers() throws Exception {
        net.addresses.add(new HostAddress(2, "eth0", (Inet4Address) InetAddress.getByName("198.18.0.1"), 24));
        net.addresses.add(new HostAddress(2, "eth0", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24));
        List<HostAddress> removed = actuator(Announce.DEFAULT).installAndRemoveStale();
        assertEquals(1, removed.size());
        assertEquals(List.of("fence install 1", "remove 198.18.0.100/24 eth0"), net.actions);
        assertEquals(1, net.addresses.size());
    }

    @Test
    void refreshZeroMeansBurstOnly() throws Exception {
        HostActuator a = actuator(new Announce(1, 100, 0));
        a.sync(Map.of("web", 1L), FAR, 0);
        a.sync(Map.of("web", 1L), FAR, 3_600_000 * MS);
        assertEquals(1, net.actions.stream().filter(s -> s.startsWith("arp")).count());
    }

    @Test
    void failedAddIsRetriedAndNeverAnnounced() throws Exception {
        net.failAdds = true;
        HostActuator a = actuator(Announce.DEFAULT);
        List<String> failed = new java.util.ArrayList<>();
        a.onFailure(failed::add);
        a.sync(Map.of("web", 1L), FAR, 0);
        assertEquals(List.of(), net.actions);
        assertEquals(List.of("address"), failed, "counted for the metrics");
        net.failAdds = false;
        a.sync(Map.of("web", 1L), FAR, 20 * MS);
        assertEquals("add 198.18.0.100/24 eth0 lifetime 3", net.actions.get(0));
        assertTrue(net.actions.get(1).startsWith("fence 198.18.0.100"));
        assertEquals("arp 198.18.0.100 eth0", net.actions.get(2));
    }

    @Test
    void ignoresVipsThisNodeDoesNotDefine() throws Exception {
        actuator(Announce.DEFAULT).sync(Map.of("other", 1L), FAR, 0);
        assertEquals(List.of(), net.actions);
    }

    @Test
    void reloadLetsGoOfRemovedAndRedefinedVipsAndLeavesTheRestAlone() throws Exception {
        VipSpec db = new VipSpec("db", (Inet4Address) InetAddress.getByName("198.18.0.101"), 24, "eth0", List.of());
        HostActuator a = new HostActuator(net, net.fence(), List.of(web(), db), Announce.DEFAULT, clock::get);
        List<String> events = new java.util.ArrayList<>();
        a.onEvents((spec, holding, epoch) -> events.add(spec.name() + (holding ? " up " : " down ") + epoch));
        a.sync(Map.of("web", 1L, "db", 2L), FAR, 0);
        net.actions.clear();
        // db removed; web's placement settings changed but not its address; api added.
        VipSpec web2 = new VipSpec("web", web().address(), 24, "eth0", List.of("n2"));
        VipSpec api = new VipSpec("api", (Inet4Address) InetAddress.getByName("198.18.0.102"), 24, "eth0", List.of());
        a.reconfigure(List.of(web2, api), Announce.DEFAULT);
        assertEquals(List.of("fence 198.18.0.100 1000000ms", "remove 198.18.0.101/24 eth0",
                "fence guard [198.18.0.100, 198.18.0.102]"), net.actions, "web is never touched");
        assertEquals(java.util.Set.of("web up 1", "db up 2"), java.util.Set.copyOf(events.subList(0, 2)));
        assertEquals(List.of("db down 2"), events.subList(2, events.size()));
        // A redefined VIP (new address) is let go, then acquired at its new address when the lease allows.
        net.actions.clear();
        VipSpec web3 = new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.110"), 24, "eth0",
                List.of());
        a.reconfigure(List.of(web3, api), Announce.DEFAULT);
        a.sync(Map.of("web", 3L), FAR, 0);
        assertTrue(net.actions.indexOf("remove 198.18.0.100/24 eth0") < net.actions.indexOf(
                "add 198.18.0.110/24 eth0 lifetime 3"), net.actions.toString());
    }
}
