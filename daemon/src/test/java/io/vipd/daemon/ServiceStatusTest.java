package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.cluster.OwnerLease;
import io.vipd.config.VipdConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServiceStatusTest {
    private static final long MS = 1_000_000L;
    private final VipdConfig config = RoleFixtures.config();
    private final OwnerLease lease = new OwnerLease(config.timing().leaseMs());
    private final Map<String, Long> held = new TreeMap<>();
    private final ServiceStatus status = new ServiceStatus(() -> config, lease, () -> held);
    private final List<String> sent = new ArrayList<>();
    private final FakeConsensus cluster = new FakeConsensus();

    ServiceStatusTest() {
        status.notifyTo(sent::add);
    }

    @Test
    void joiningThenReadyOnceThenOnlyChanges() {
        long now = 1_000_000 * MS;
        status.update(cluster, now);
        cluster.leader("n2");
        status.update(cluster, now);
        status.update(cluster, now); // unchanged: not sent again
        lease.renewed(now, 5, Map.of("web", 1L));
        held.put("web", now);
        status.renewed(cluster, now + MS);
        status.renewed(cluster, now + 2 * MS); // READY=1 only once
        held.remove("web");
        status.update(cluster, now + 3 * MS);
        status.update(cluster, now + 2_000 * MS); // the lease ran out
        assertEquals(List.of(
                "STATUS=joining cluster vipd: no leader yet (a majority of peers must be up)",
                "STATUS=joining cluster vipd: leader n2, first renewal not confirmed yet",
                "READY=1\nSTATUS=member of vipd, leader n2, holding web",
                "STATUS=member of vipd, leader n2, holding no VIPs",
                "STATUS=lease lapsed (no renewal confirmed in time): holding no VIPs until a majority (2 of 3 voting "
                        + "members) confirms a renewal again"), sent);
    }
}
