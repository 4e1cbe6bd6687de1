package io.vipd.daemon;

import io.vipd.cluster.OwnershipEvent;
import io.vipd.cluster.OwnershipHistory;
import io.vipd.control.HistoryReport;
import java.time.Instant;

/** The replicated ownership history as the control socket answers it. */
final class HistoryReports {
    private HistoryReports() {}

    static HistoryReport of(String cluster, OwnershipHistory history) {
        return new HistoryReport(cluster, history.lastSeq(), history.events().stream().map(HistoryReports::event)
                .toList());
    }

    private static HistoryReport.Event event(OwnershipEvent e) {
        return new HistoryReport.Event(e.seq(), Instant.ofEpochMilli(e.wallMillis()).toString(), e.vip(), e.change(),
                e.from(), e.to(), e.epoch(), e.reason());
    }
}
