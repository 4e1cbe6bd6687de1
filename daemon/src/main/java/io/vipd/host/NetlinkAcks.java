package io.vipd.host;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The acknowledgements a request or batch still waits for, by sequence number. Each NLMSG_ERROR for one of them
 * settles it; the first that carries an errno is the answer (a batch's kernel then applies none of it). Messages for
 * other sequence numbers — late answers to an earlier request — are passed over.
 */
final class NetlinkAcks {
    private final Set<Integer> pending = new LinkedHashSet<>();

    /** Waits for the {@code count} messages numbered from {@code firstSeq}. */
    NetlinkAcks(int firstSeq, int count) {
        for (int i = 0; i < count; i++) {
            pending.add(firstSeq + i);
        }
    }

    /** Takes the acknowledgements among {@code received}: the kernel's errno (positive) for the first refusal, else 0. */
    int take(List<NetlinkMessage> received) {
        for (NetlinkMessage m : received) {
            if (m.isError() && pending.remove(m.seq()) && m.error() != 0) {
                return -m.error();
            }
        }
        return 0;
    }

    boolean done() {
        return pending.isEmpty();
    }

    int pending() {
        return pending.size();
    }
}
