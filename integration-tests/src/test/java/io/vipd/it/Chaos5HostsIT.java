package io.vipd.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The faults that split a cluster, on 5 hosts, against the leader-owner; and a restart of all daemons. */
class Chaos5HostsIT extends ChaosBase {
    @Override
    int hosts() {
        return 5;
    }

    @ParameterizedTest(name = "{0} of the leader")
    @EnumSource(value = Fault.class, names = {"CRASH", "PAUSE", "PARTITION"})
    void faultOfTheLeaderOwner(Fault fault) throws Exception {
        run(fault, Target.LEADER);
    }

    @Test
    void restartOfEveryDaemonAtOnce() throws Exception {
        restartEveryDaemonAtOnce();
    }
}
