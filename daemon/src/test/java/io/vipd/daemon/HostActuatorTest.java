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
import org.junit.jupiter.api.Test;

class HostActuatorTest {
    static final long MS = 1_000_000L;

    static VipSpec web() throws Exception {
        return new VipSpec("web", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24, "eth0", List.of());
    }

    @Test
    void acquireAddsThenAnnouncesInABurstThenRefreshes() throws Exception {
        FakeHostNetwork net = new FakeHostNetwork("eth0");
        HostActuator a = new HostActuator(net, List.of(web()), new Announce(3, 100, 10_000));
        a.sync(Map.of("web", 1L), 0);
        assertEquals(List.of("add 198.18.0.100/24 eth0", "arp 198.18.0.100 eth0"), net.actions);
        a.sync(Map.of("web", 1L), 50 * MS);
        assertEquals(2, net.actions.size(), "nothing due at 50 ms");
        a.sync(Map.of("web", 1L), 100 * MS);
        a.sync(Map.of("web", 1L), 200 * MS);
        assertEquals(4, net.actions.size(), "three frames 100 ms apart");
        a.sync(Map.of("web", 1L), 5_000 * MS);
        assertEquals(4, net.actions.size(), "burst done, refresh not yet due");
        a.sync(Map.of("web", 1L), 10_200 * MS);
        assertEquals("arp 198.18.0.100 eth0", net.actions.get(4));
        assertEquals(5, net.actions.size());
    }

    @Test
    void releaseRemovesAndStopsAnnouncing() throws Exception {
        FakeHostNetwork net = new FakeHostNetwork("eth0");
        HostActuator a = new HostActuator(net, List.of(web()), new Announce(3, 100, 10_000));
        a.sync(Map.of("web", 1L), 0);
        a.sync(Map.of(), 10 * MS);
        assertEquals("remove 198.18.0.100/24 eth0", net.actions.get(2));
        int before = net.actions.size();
        a.sync(Map.of(), 20_000 * MS);
        assertEquals(before, net.actions.size(), "a non-owner never sends ARP for the VIP");
        assertTrue(net.addresses.isEmpty());
    }

    @Test
    void refreshZeroMeansBurstOnly() throws Exception {
        FakeHostNetwork net = new FakeHostNetwork("eth0");
        HostActuator a = new HostActuator(net, List.of(web()), new Announce(1, 100, 0));
        a.sync(Map.of("web", 1L), 0);
        a.sync(Map.of("web", 1L), 3_600_000 * MS);
        assertEquals(2, net.actions.size());
    }

    @Test
    void removesStaleVipAddressesButNotOthers() throws Exception {
        FakeHostNetwork net = new FakeHostNetwork("eth0");
        net.addresses.add(new HostAddress(2, "eth0", (Inet4Address) InetAddress.getByName("198.18.0.1"), 24));
        net.addresses.add(new HostAddress(2, "eth0", (Inet4Address) InetAddress.getByName("198.18.0.100"), 24));
        HostActuator a = new HostActuator(net, List.of(web()), Announce.DEFAULT);
        List<HostAddress> removed = a.removeStale();
        assertEquals(1, removed.size());
        assertEquals(List.of("remove 198.18.0.100/24 eth0"), net.actions);
        assertEquals(1, net.addresses.size());
    }

    @Test
    void failedAddIsRetriedAndNeverAnnounced() throws Exception {
        FakeHostNetwork net = new FakeHostNetwork("eth0");
        net.failAdds = true;
        HostActuator a = new HostActuator(net, List.of(web()), Announce.DEFAULT);
        a.sync(Map.of("web", 1L), 0);
        assertEquals(List.of(), net.actions);
        net.failAdds = false;
        a.sync(Map.of("web", 1L), 20 * MS);
        assertEquals(List.of("add 198.18.0.100/24 eth0", "arp 198.18.0.100 eth0"), net.actions);
    }

    @Test
    void ignoresVipsThisNodeDoesNotDefine() throws Exception {
        FakeHostNetwork net = new FakeHostNetwork("eth0");
        HostActuator a = new HostActuator(net, List.of(web()), Announce.DEFAULT);
        a.sync(Map.of("other", 1L), 0);
        assertEquals(List.of(), net.actions);
    }
}
