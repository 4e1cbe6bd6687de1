package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.testbed.Soak;
import io.vipd.testbed.Testbed;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The short form of {@code scripts/soak}: 30 random overlapping faults on a 5-host cluster with a low snapshot
 * threshold. A new seed each run (printed first, with the command that replays it), or {@code -Dvipd.soak.seed}.
 * Safety and recovery are asserted; recovery and failover times are printed figures.
 */
class SoakIT {
    static final int FAULTS = Integer.getInteger("vipd.soak.faults", 30);

    @Test
    void thirtyRandomFaultsLeaveNoDualAnswerNoStaleAddressAndOneTable() throws Exception {
        Assumptions.assumeTrue(Testbed.isRoot(), NamespaceTestbed.NOT_ROOT);
        long seed = Long.getLong("vipd.soak.seed", new java.util.Random().nextLong());
        Soak.Report r = Soak.run(FAULTS, seed, Testbed.vipdJarFromBuild());
        String replay = " (replay: scripts/soak --faults " + FAULTS + " --seed " + seed + ")";
        assertEquals(0, r.dualRounds(), "rounds with two MACs for one VIP" + replay + ": " + r.violations());
        assertEquals(0, r.answeredWithoutAddress(), "replies from a host without the address" + replay + ": "
                + r.violations());
        assertEquals(0, r.staleAfterHeal(), "stale addresses after a heal" + replay + ": " + r.violations());
        assertEquals(0, r.notRecovered(), "heals not steady within 60 s" + replay + ": " + r.violations());
        assertTrue(r.tablesAgree(), "the same table on every node" + replay + ": " + r.violations());
        assertTrue(r.good(), r.violations() + replay);
        assertTrue(r.faults() >= FAULTS, "faults injected: " + r.faults());
        assertTrue(r.dataDirMaxBytes() < 4L << 20, "data directories stay small: " + r.dataDirMaxBytes());
        assertTrue(r.snapshotFiles() >= 1 && r.snapshotFiles() <= 2, "the newest two snapshots are kept, no more: "
                + r.snapshotFiles());
        assertTrue(r.firstLogIndexOnDisk() > 0, "the logs were purged after snapshots: first index on disk "
                + r.firstLogIndexOnDisk() + replay);
    }
}
