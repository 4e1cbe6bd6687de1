package io.vipd.cluster;

import io.vipd.config.Peer;
import io.vipd.config.VipdConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** How vipd sets up Ratis for a node, each setting with the reason it differs from Ratis's default. */
final class RatisSettings {
    private RatisSettings() {}

    static RaftProperties of(VipdConfig config) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        Peer self = config.self();
        GrpcConfigKeys.Server.setHost(properties, self.host());
        GrpcConfigKeys.Server.setPort(properties, self.port());
        RaftServerConfigKeys.setStorageDir(properties, List.of(config.dataDir().resolve("raft").toFile())); // DataDirectory.raftDir
        // A read-only request (a renewal) goes to the leader, which answers it as soon as it is a ready leader: vipd
        // confirms the leadership itself (LeadershipConfirmation). LINEARIZABLE would not do: Ratis reuses one
        // confirmation for every later read at the same commit index.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.DEFAULT);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, ms(config.timing().electionMinMs()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, ms(config.timing().electionMaxMs()));
        // Ratis makes a leader that stepped down sit out elections for 10 s by default. If it holds the most
        // up-to-date log, nobody else can win meanwhile: a 10 s outage. One election timeout is enough.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(properties, ms(config.timing().electionMaxMs()));
        // The log grows with every ownership change and every report of a node: snapshot and purge it regularly.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, (long) config.snapshotEntries());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        // Ratis keeps every snapshot it ever took unless told otherwise (retention -1), so the data directory grew
        // by one snapshot per interval, without end (the soak showed it). The newest two are all a restart or a
        // follower's catch-up reads; the older ones go.
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, SNAPSHOTS_KEPT);
        // Only closed segments are purged: a segment holds about one snapshot interval of entries (~100 bytes each),
        // so the log on disk stays near two intervals long.
        long segmentBytes = Math.max(64 * 1024L, Math.min(8L << 20, config.snapshotEntries() * 128L));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(segmentBytes));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf(Math.min(segmentBytes, 1L << 20)));
        RaftServerConfigKeys.Log.setPurgeGap(properties, config.snapshotEntries());
        // After errors towards a follower (it was paused, restarted, cut off), Ratis's leader backs off 1 s, then 5 s
        // between attempts: a follower back after a 5 s pause heard nothing for another 5 s, could not renew, and
        // its VIP flapped. vipd's followers are a handful of hosts on one LAN: retry within ~0.1-0.45 s instead.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(properties, "1ms,10, 100ms,100, 300ms,1000000");
        // A request to a leader that died without closing its connections (host down, process paused) must fail
        // fast, so the client tries the other peers while this node's lease is still running.
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, ms(Math.max(50, 2L * config.timing().renewIntervalMs())));
        return properties;
    }

    /** Snapshots kept in the data directory: the newest and the one before (in case the newest is unreadable). */
    static final int SNAPSHOTS_KEPT = 2;

    private static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }
}
