package io.vipd.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A partition of the leader-owner on 5 hosts, and a restart of all daemons at once. (Crashes and pauses on 5 hosts run
 * in the soak, SoakIT, among its random faults.)
 */
class Chaos5HostsIT extends ChaosBase {
    @Override
    int hosts() {
        return 5;
    }

    @ParameterizedTest(name = "{0} of the leader")
    @EnumSource(value = Fault.class, names = {"PARTITION"})
    void faultOfTheLeaderOwner(Fault fault) throws Exception {
        run(fault, Target.LEADER);
    }

    @Test
    void restartOfEveryDaemonAtOnce() throws Exception {
        restartEveryDaemonAtOnce();
    }
}
