package io.vipd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VipListTest {
    static VipSpec vip(String name, String address) throws Exception {
        return new VipSpec(name, (java.net.Inet4Address) InetAddress.getByName(address), 24, "eth0", List.of());
    }

    @Test
    void aConfigurationFindsItsVipsByNameAndAddressAndKeepsTheirOrder() throws Exception {
        List<VipSpec> specs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            specs.add(vip("v" + i, "198.18." + (1 + i / 250) + "." + (1 + i % 250)));
        }
        VipdConfig c = new VipdConfig(java.nio.file.Path.of("/etc/vipd/vipd.conf"), "n1", "c",
                java.nio.file.Path.of("/var/lib/vipd"), java.nio.file.Path.of("/run/vipd/vipd.sock"),
                List.of(new Peer("n1", "198.18.0.1", 7400)), specs, Announce.DEFAULT, Timing.DEFAULT);
        assertEquals(specs, c.vips());
        assertEquals("v999", c.vips().get(999).name());
        assertEquals(Optional.of(specs.get(500)), c.vip("v500"));
        assertEquals(Optional.empty(), c.vip("v1000"));
        assertEquals(Optional.of(specs.get(251)), c.vipAt(InetAddress.getByName("198.18.2.2")));
        assertEquals(Optional.empty(), c.vipAt(InetAddress.getByName("198.18.0.1")));
        assertEquals(Optional.empty(), c.vipAt(InetAddress.getByName("2001:db8::1")));
        assertThrows(UnsupportedOperationException.class, () -> c.vips().add(specs.get(0)));
    }
}
