package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.Inet4Address;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The faults of {@link Chaos3HostsIT} against two VIP hosts and a witness (h3, {@code witnesses = n3}): the three
 * VIPs live on h1 and h2, and the faulted host is one of them, the Raft leader or not. The same safety and recovery
 * checks, and the witness never answers for a VIP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosWitnessIT extends ChaosBase {
    private static final int WITNESS = 3;

    @Override
    int hosts() {
        return 3;
    }

    @Override
    String extraConfig() {
        return "witnesses = n3\n";
    }

    @Override
    String label() {
        return "2 hosts + witness";
    }

    @Override
    boolean mayLead(int i) {
        return i != WITNESS;
    }

    private void assertWitnessHoldsNothing() {
        for (Inet4Address vip : bed.vips().values()) {
            assertNotEquals(WITNESS, answering(vip), vip.getHostAddress() + " answered by the witness");
        }
        bed.referee().observations().forEach(o -> assertNotEquals(bed.mac(WITNESS), o.mac(),
                "the witness answered " + o.vip().getHostAddress()));
    }

    @ParameterizedTest(name = "{0} of the leader")
    @EnumSource(Fault.class)
    @Order(1)
    void faultOfTheLeaderOwner(Fault fault) throws Exception {
        run(fault, Target.LEADER);
        assertWitnessHoldsNothing();
    }

    @ParameterizedTest(name = "{0} of a follower")
    @EnumSource(Fault.class)
    @Order(2)
    void faultOfAFollowerOwner(Fault fault) throws Exception {
        run(fault, Target.FOLLOWER);
        assertWitnessHoldsNothing();
    }
}
