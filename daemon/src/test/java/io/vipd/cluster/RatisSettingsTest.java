package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.ConfigLoader;
import io.vipd.config.VipdConfig;
import java.nio.file.Path;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** What vipd tells Ratis about snapshots and the log, so the data directory stays bounded. */
class RatisSettingsTest {
    private static VipdConfig config(String extra) throws Exception {
        return new ConfigLoader().parse(Path.of("vipd.conf"), String.join("\n",
                "node.id = n1", "data.dir = /tmp/vipd-settings-test", "peer.n1 = 198.18.0.1:7400",
                "peer.n2 = 198.18.0.2:7400", "peer.n3 = 198.18.0.3:7400", "vip.web.address = 198.18.0.100/24",
                "vip.web.interface = eth0", extra, ""));
    }

    @Test
    void snapshotsAreTakenEveryIntervalAndOnlyTheNewestTwoAreKept() throws Exception {
        RaftProperties p = RatisSettings.of(config("raft.snapshot.entries = 100"));
        assertTrue(RaftServerConfigKeys.Snapshot.autoTriggerEnabled(p));
        assertEquals(100, RaftServerConfigKeys.Snapshot.autoTriggerThreshold(p));
        assertEquals(2, RaftServerConfigKeys.Snapshot.retentionFileNum(p),
                "Ratis keeps every snapshot by default (-1): the data directory would grow without end");
        assertTrue(RaftServerConfigKeys.Log.purgeUptoSnapshotIndex(p), "the log is purged up to the snapshot");
        assertEquals(100, RaftServerConfigKeys.Log.purgeGap(p));
    }
}
