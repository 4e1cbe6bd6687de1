package io.vipd.it;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every fault against the owner, once when it is the Raft leader and once when it is a follower; 3 hosts. */
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
    @EnumSource(Fault.class)
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
