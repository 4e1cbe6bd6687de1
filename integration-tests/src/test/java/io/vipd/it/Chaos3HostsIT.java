package io.vipd.it;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every fault against the owner when it is the Raft leader, and a kill and a partition when it is a follower; 3 hosts.
 * (The other faults of a follower-owner run in the soak, SoakIT, among its random ones.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Chaos3HostsIT extends ChaosBase {
    @Override
    int hosts() {
        return 3;
    }

    @ParameterizedTest(name = "{0} of the leader")
    @EnumSource(Fault.class)
    @Order(1)
    void faultOfTheLeaderOwner(Fault fault) throws Exception {
        run(fault, Target.LEADER);
    }

    @ParameterizedTest(name = "{0} of a follower")
    @EnumSource(value = Fault.class, names = {"KILL", "PARTITION"})
    @Order(2)
    void faultOfAFollowerOwner(Fault fault) throws Exception {
        run(fault, Target.FOLLOWER);
    }

    @Test
    @Order(3)
    void restartOfEveryDaemonAtOnce() throws Exception {
        restartEveryDaemonAtOnce();
    }
}
