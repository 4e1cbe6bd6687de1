package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Five hosts, three of them voting ({@code voters = n1, n2, n3}) and two Raft listeners (n4, n5), one VIP per host:
 * the listeners hold VIPs like any member, and the faults of the chaos tests, of the leader and of a listener that
 * owns a VIP, keep the same safety and recovery checks.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosListenersIT extends ChaosBase {
    @Override
    int hosts() {
        return 5;
    }

    @Override
    String extraConfig() {
        return "voters = n1, n2, n3\n";
    }

    @Override
    String label() {
        return "3 voters + 2 listeners";
    }

    @Override
    boolean mayLead(int i) {
        return i <= 3;
    }

    @Test
    @Order(0)
    void listenersHoldVipsAndShowAsListeners() throws Exception {
        awaitSteady("at start");
        // Which hosts the first placement finds steady depends on start-up speed: when voters took every VIP, a
        // move shows that a listener may hold one.
        String name = bed.vips().keySet().iterator().next();
        for (int attempt = 0; attempt < 5 && owners().keySet().stream().noneMatch(h -> h > 3); attempt++) {
            bed.vipctl(1, "move", name, "n4");
            long until = System.nanoTime() + 10_000_000_000L;
            while (answering(bed.vips().get(name)) != 4 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
        }
        assertTrue(owners().keySet().stream().anyMatch(h -> h > 3), "a listener holds a VIP: " + owners());
        JsonNode s = bed.status(1);
        for (JsonNode n : s.path("nodes")) {
            String id = n.path("id").asText();
            if (id.equals("n4") || id.equals("n5")) {
                assertEquals("LISTENER", n.path("role").asText(), n.toString());
            }
        }
        assertEquals("LISTENER", bed.status(4).path("role").asText());
    }

    @ParameterizedTest(name = "{0} of the leader")
    @EnumSource(value = Fault.class, names = {"CRASH", "PARTITION"})
    @Order(1)
    void faultOfTheLeaderOwner(Fault fault) throws Exception {
        run(fault, Target.LEADER);
    }

    @ParameterizedTest(name = "{0} of a listener")
    @EnumSource(value = Fault.class, names = {"CRASH", "PAUSE", "PARTITION"})
    @Order(2)
    void faultOfAListenerOwner(Fault fault) throws Exception {
        run(fault, Target.LISTENER);
    }
}
