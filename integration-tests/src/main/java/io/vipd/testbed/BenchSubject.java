package io.vipd.testbed;

import java.io.IOException;

/** One failover system under test in the benchmarks (vipd or keepalived), driven on a {@link Testbed}. */
public interface BenchSubject {
    String name();

    /** Configuration appended to every vipd host's file (empty for other systems). */
    String config();

    void start(Testbed bed, int host) throws IOException;

    /** SIGKILL every process of the system on the host. */
    void kill(Testbed bed, int host) throws IOException;

    void pause(Testbed bed, int host) throws IOException;

    void resume(Testbed bed, int host) throws IOException;

    /** A planned stop (SIGTERM, as systemctl stop does), waiting until the system has exited. */
    void stop(Testbed bed, int host) throws IOException;

    /** Waits until every host has (re)joined: a planned stop right after a restart measures the restart. */
    default void settle(Testbed bed) {
    }

    /** A planned move of {@code vip} to {@code host} without stopping anything; false if the system has none. */
    default boolean move(Testbed bed, String vip, int via, int host) throws IOException {
        return false;
    }

    /**
     * Makes the host's configuration include every VIP of the testbed (some are withheld at start) and applies it
     * without a restart, as the system's own reload does; false if the system cannot.
     */
    default boolean reloadWithAllVips(Testbed bed, int host) throws IOException {
        return false;
    }
}
