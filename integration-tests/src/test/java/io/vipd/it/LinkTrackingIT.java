package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.host.MacAddress;
import io.vipd.testbed.ArpReferee;
import io.vipd.testbed.Testbed;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hosts with two interfaces: Raft on eth0, the VIP on eth1 (issue 14, cause e). When the owner's eth1 loses its
 * link while Raft stays healthy on eth0, the VIP moves by handover within the audit interval plus a handover, and a
 * node whose VIP link is down is given no VIP; it may hold VIPs again once its link is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkTrackingIT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web").manualStart();
    private Testbed bed; // set by the extension
    private final MacAddress[] eth1 = new MacAddress[4];

    @BeforeAll
    void start() throws Exception {
        for (int i = 1; i <= 3; i++) {
            eth1[i] = bed.plugSecondInterface(i);
        }
        for (int i = 1; i <= 3; i++) {
            String config = bed.config(i).replace("vip.web.interface = eth0", "vip.web.interface = eth1");
            assertNotEquals(bed.config(i), config, "the VIP is on eth1");
            bed.startDaemon(i, java.util.Map.of(), config);
        }
        Testbed.waitUntil("web answered", 60_000, () -> bed.answeringHost("web") != 0);
    }

    private String healthSeenBy(int i, int node) {
        JsonNode s = bed.status(i);
        for (JsonNode v : s.get("vips")) {
            if (v.get("name").asText().equals("web") && v.get("health").has(bed.node(node))) {
                return v.get("health").get(bed.node(node)).asText();
            }
        }
        return "";
    }

    @Test
    @Order(1)
    void theOwnerAnswersFromItsVipInterface() {
        int owner = bed.answeringHost("web");
        List<MacAddress> macs = ArpReferee.answerers(bed.referee().since(System.nanoTime() - 300_000_000L),
                bed.vip("web"));
        assertEquals(List.of(eth1[owner]), macs, "eth1's MAC, not eth0's (arp_ignore = 1)");
        JsonNode v = bed.status(owner).get("vips").get(0);
        assertEquals(eth1[owner].toString(), v.get("ownerMac").asText(), "status names eth1's MAC: " + v);
    }

    @Test
    @Order(2)
    void whenTheOwnersVipLinkGoesDownTheVipMovesWhileRaftStaysHealthy() throws Exception {
        int owner = bed.answeringHost("web");
        long term = bed.status(owner).get("term").asLong();
        long from = System.nanoTime();
        bed.secondLink(owner, false);
        Testbed.waitUntil("web answered by another host", 10_000, () -> {
            int now = bed.answeringHost("web");
            return now != 0 && now != owner;
        });
        long movedMs = (System.nanoTime() - from) / 1_000_000L;
        System.out.printf("[benchmark] owner's VIP link down -> VIP answered by another host after %d ms%n", movedMs);
        int next = bed.answeringHost("web");
        assertTrue(bed.log(owner).contains("link eth1 is no carrier"), "the owner says why");
        Testbed.waitUntil("status shows why " + bed.node(owner) + " may not hold web", 5_000,
                () -> healthSeenBy(next, owner).equals("link eth1 no carrier"));
        JsonNode s = bed.status(owner);
        assertEquals(term, s.get("term").asLong(), "no election: Raft was never disturbed");
        for (JsonNode n : s.get("nodes")) {
            assertTrue(n.get("reachable").asBoolean(), "every member still renews: " + n);
        }
        assertTrue(ArpReferee.dualAnswers(bed.referee().since(from)).isEmpty(), "never two MACs: "
                + ArpReferee.dualAnswers(bed.referee().since(from)));
        String reason = bed.status(next).get("vips").get(0).get("reason").asText();
        assertTrue(reason.contains("unhealthy (link eth1 no carrier)"), reason);

        // A second node's link goes down: the VIP goes to the third, never back to the first.
        long second = System.nanoTime();
        bed.secondLink(next, false);
        Testbed.waitUntil("web answered by the third host", 10_000, () -> {
            int now = bed.answeringHost("web");
            return now != 0 && now != owner && now != next;
        });
        System.out.printf("[benchmark] second link down -> VIP on the third host after %d ms%n",
                (System.nanoTime() - second) / 1_000_000L);
        bed.secondLink(owner, true);
        bed.secondLink(next, true);
        Testbed.waitUntil("status shows the links up again", 5_000, () -> !healthSeenBy(1, owner).startsWith("link")
                && !healthSeenBy(1, next).startsWith("link"));
        assertTrue(ArpReferee.dualAnswers(bed.referee().since(from)).isEmpty(), "never two MACs");
    }
}
