package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.host.MacAddress;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.NdpReferee;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster whose members talk Raft over IPv6 ({@code peer.n1 = [2001:db8::1]:7400}, mutual TLS as always), with an
 * IPv6 VIP whose health check reaches its service over IPv6 ({@code target = [::1]:9090}): the cluster forms, status
 * shows the addresses as written, a failed check and a crash move the VIP, and one MAC answers it throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ipv6PeersIT {
    private static final int SERVICE_PORT = 9090;

    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips().extraConfig(String.join("\n",
            "vip.web6.address = 2001:db8::100/64",
            "vip.web6.interface = eth0",
            "vip.web6.checks = svc",
            "check.svc.type = tcp",
            "check.svc.target = [::1]:" + SERVICE_PORT,
            "check.svc.interval.ms = 200",
            "check.svc.fall = 2",
            "")).manualStart();
    private Testbed bed; // set by the extension
    private NdpReferee ndp;
    private Inet6Address web6;
    private final List<String> figures = new ArrayList<>();

    /** Host i's IPv6 address, which its peers reach it at. */
    private static String hostV6(int i) {
        return "2001:db8::" + i;
    }

    /** Host i's configuration with every peer at its IPv6 address. */
    private String ipv6Config(int i) {
        StringBuilder sb = new StringBuilder();
        for (String line : bed.config(i).split("\n")) {
            if (line.startsWith("peer.n")) {
                int p = Integer.parseInt(line.substring("peer.n".length(), line.indexOf(' ')));
                line = "peer.n" + p + " = [" + hostV6(p) + "]:" + Testbed.RAFT_PORT;
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    @BeforeAll
    void start() throws Exception {
        web6 = (Inet6Address) InetAddress.getByName("2001:db8::100");
        for (int i = 1; i <= 3; i++) {
            Shell.ok("ip", "-n", bed.hostNs(i), "addr", "add", hostV6(i) + "/64", "dev", "eth0", "nodad");
            bed.service(i, SERVICE_PORT, true); // listens on the wildcard: IPv4 and IPv6
        }
        ndp = bed.ndpReferee(List.of(web6));
        for (int i = 1; i <= 3; i++) {
            bed.startDaemon(i, Map.of(), ipv6Config(i));
        }
        Testbed.waitUntil("web6 answered", 60_000, () -> host() != 0);
    }

    @AfterAll
    void stop() throws Exception {
        if (ndp != null) {
            ndp.close();
        }
        System.out.println("[ipv6 peers] " + figures);
    }

    private int host() {
        MacAddress mac = ndp.answering(web6);
        return mac == null ? 0 : bed.hostOf(mac);
    }

    private void assertSafe() {
        assertTrue(ArpReferee.dualAnswers(ndp.observations()).isEmpty(), "two MACs advertised web6: "
                + ArpReferee.dualAnswers(ndp.observations()));
    }

    @Test
    @Order(1)
    void theClusterFormsOverIpv6AndStatusShowsTheAddressesAsWritten() throws Exception {
        JsonNode status = bed.status(1);
        for (JsonNode n : status.get("nodes")) {
            int i = Integer.parseInt(n.get("id").asText().substring(1));
            assertEquals("[" + hostV6(i) + "]:" + Testbed.RAFT_PORT, n.get("address").asText(), n.toString());
            assertTrue(n.get("reachable").asBoolean(), n.toString());
        }
        String raft = Shell.ok("ip", "netns", "exec", bed.hostNs(1), "ss", "-tn", "state", "established");
        List<String> raftLines = raft.lines().filter(l -> l.contains(":" + Testbed.RAFT_PORT + " ")).toList();
        assertTrue(!raftLines.isEmpty() && raftLines.stream().allMatch(l -> l.contains("[2001:db8::")),
                "Raft connections, all over IPv6: " + raft);
        Shell.Result text = bed.vipctl(2, "status");
        assertTrue(text.output().contains("[2001:db8::1]:" + Testbed.RAFT_PORT), text.output());
        assertTrue(text.output().matches("(?s).*web6 +2001:db8::100/64 +eth0.*"), text.output());
        assertSafe();
    }

    @Test
    @Order(2)
    void aFailingIpv6HealthCheckMovesTheVip() throws Exception {
        int owner = host();
        long t0 = System.nanoTime();
        bed.service(owner, SERVICE_PORT, false);
        try {
            Testbed.waitUntil("web6 moved off the host whose service is down", 15_000,
                    () -> host() != 0 && host() != owner);
            figures.add("check failure -> web6 elsewhere: " + (System.nanoTime() - t0) / 1_000_000L + " ms");
            String reason = bed.vipStatus(host(), "web6").get("reason").asText();
            assertTrue(reason.contains("svc (tcp [::1]:" + SERVICE_PORT + "): connection refused"), reason);
        } finally {
            bed.service(owner, SERVICE_PORT, true);
        }
        assertSafe();
    }

    @Test
    @Order(3)
    void aCrashedOwnersVipFailsOverAndItRejoinsOverIpv6() throws Exception {
        int owner = host();
        long t0 = System.nanoTime();
        bed.kill9(owner);
        Testbed.waitUntil("web6 failed over", 15_000, () -> host() != 0 && host() != owner);
        figures.add("crash failover web6 (peers over IPv6): " + (System.nanoTime() - t0) / 1_000_000L + " ms");
        bed.startDaemon(owner, Map.of(), ipv6Config(owner));
        Testbed.waitUntil(bed.node(owner) + " back", 60_000, () -> bed.reachableSeenBy(owner % 3 + 1,
                bed.node(owner)));
        assertSafe();
    }
}
