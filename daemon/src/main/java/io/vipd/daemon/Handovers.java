package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Ends handovers: the previous owner confirms it let go once its host no longer carries the VIP (address removed,
 * fence closed), so the new owner may answer without waiting for the failover timeout; the leader ends a wait that
 * outlived that timeout ({@link Placement}). One submission per handover at a time. Agent thread.
 */
final class Handovers {
    private final String self;
    /** Where completions of submitted releases are handled: the agent thread. */
    private final Executor agentThread;
    /** Handovers ("vip#epoch") whose confirmation or timeout this node has submitted and not seen finish. */
    private final Set<String> inFlight = new HashSet<>();

    Handovers(String self, Executor agentThread) {
        this.self = self;
        this.agentThread = agentThread;
    }

    /** Confirms every handover away from this node whose VIP the host no longer carries. */
    void confirm(Consensus cluster, VipTable table, java.util.Set<String> heldHere) {
        for (VipState v : table.vips().values()) {
            if (self.equals(v.releasing()) && !heldHere.contains(v.name())) {
                submitRelease(cluster, v, self + " let go");
            }
        }
    }

    void submitRelease(Consensus cluster, VipState v, String reason) {
        String key = v.name() + "#" + v.epoch();
        if (!inFlight.add(key)) {
            return;
        }
        cluster.submit(new Command.Released(v.name(), v.epoch(), v.releasing(), reason)).thenAccept(
                outcome -> agentThread.execute(() -> inFlight.remove(key)));
    }
}
