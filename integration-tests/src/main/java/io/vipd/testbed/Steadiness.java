package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a testbed's cluster is steady, judged from outside: every VIP answered (in the referee's last 300 ms) by
 * exactly one host, that host carrying the address and no other host carrying it, and every running daemon seeing
 * every member reachable. What the chaos tests and the soak wait for after a fault heals.
 */
public final class Steadiness {
    private final Testbed bed;

    public Steadiness(Testbed bed) {
        this.bed = bed;
    }

    /** Host answering {@code vip} in the last 300 ms, if exactly one did; else 0. */
    public int answering(Inet4Address vip) {
        return bed.observation().answeringHost(vip);
    }

    /** Every VIP answered by one host that carries it and no other host carrying it; every daemon reachable. */
    public boolean steady() {
        return problems(true).isEmpty();
    }

    /** Whether every VIP is answered by exactly one host (whatever else is not settled yet). */
    public boolean everyVipAnswered() {
        return bed.vips().values().stream().allMatch(v -> answering(v) != 0);
    }

    /**
     * What keeps the cluster from being steady now, one line each: a VIP nobody (or several) answers, a host carrying
     * a VIP it does not answer for (a stale address), a daemon not running or not answering, a member unreachable.
     * {@code firstOnly}: stop at the first problem (for polling).
     */
    public List<String> problems(boolean firstOnly) {
        List<String> out = new ArrayList<>();
        try {
            for (var e : bed.vips().entrySet()) {
                int h = answering(e.getValue());
                if (h == 0) {
                    out.add(e.getKey() + ": not answered by exactly one host");
                }
                for (int i = 1; i <= bed.hostCount() && (out.isEmpty() || !firstOnly); i++) {
                    if (h != 0 && bed.hasAddress(i, e.getValue()) != (i == h)) {
                        out.add(e.getKey() + ": " + bed.node(i) + (i == h ? " answers without the address"
                                : " carries the address but " + bed.node(h) + " answers (stale)"));
                    }
                }
                if (firstOnly && !out.isEmpty()) {
                    return out;
                }
            }
            for (int i = 1; i <= bed.hostCount(); i++) {
                JsonNode s = bed.status(i);
                if (s == null || s.get("nodes") == null) {
                    out.add(bed.node(i) + ": daemon not running or not answering");
                } else {
                    for (JsonNode n : s.get("nodes")) {
                        if (!n.get("reachable").asBoolean()) {
                            out.add(bed.node(i) + " sees " + n.get("id").asText() + " unreachable");
                        }
                    }
                }
                if (firstOnly && !out.isEmpty()) {
                    return out;
                }
            }
        } catch (IOException e) {
            out.add("cannot read the hosts' addresses: " + e.getMessage());
        }
        return out;
    }

    /**
     * Waits until the cluster is steady and stays so for a whole second, for at most {@code timeoutMs}; returns how
     * long that took in ms, or -1 if it did not happen in time.
     */
    public long awaitStable(long timeoutMs) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeoutMs * 1_000_000L;
        long since = 0;
        while (System.nanoTime() - deadline < 0) {
            if (!steady()) {
                since = 0;
            } else if (since == 0) {
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= 1_000_000_000L) {
                return (since - t0) / 1_000_000L;
            }
            Thread.sleep(50);
        }
        return -1;
    }
}
