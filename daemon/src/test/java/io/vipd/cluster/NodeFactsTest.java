package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeFactsTest {
    @Test
    void theVipsInConflictAreThoseAnyNodeReportsAConflictFor() {
        Map<String, String> n1 = NodeFacts.report(Map.of("eth0", "02:00:00:00:00:01"), Map.of("eth0", "up"),
                List.of(new NodeFacts.Conflict("web", "52:54:00:00:00:09", "n1", 1, "reply"),
                        new NodeFacts.Conflict("web", "52:54:00:00:00:0a", "n1", 2, "reply")),
                Map.of("db", 3L), Map.of("api", "198.18.0.102/24 on eth0"));
        Map<String, String> n2 = NodeFacts.report(Map.of(), Map.of(),
                List.of(new NodeFacts.Conflict("my.vip-2", "52:54:00:00:00:09", "n2", 1, "gratuitous ARP")));
        VipTable table = VipTable.EMPTY.apply(new Command.Observed("n1", n1)).table()
                .apply(new Command.Observed("n2", n2)).table();
        assertEquals(Set.of("web", "my.vip-2"), NodeFacts.conflictedVips(table),
                "silent, stray, MACs and links are no conflicts; a VIP name may hold a dot");
        assertEquals(2, NodeFacts.conflicts(table, "web").size());
        assertEquals(Set.of(), NodeFacts.conflictedVips(VipTable.EMPTY));
    }
}
