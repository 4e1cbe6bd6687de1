package io.vipd.config;

/**
 * How each node watches who answers for the VIPs: it hears every ARP frame that claims a VIP on the VIP
 * interfaces, and sends an ARP probe for each VIP every {@code probeIntervalMs} (jittered), whose answers show every
 * MAC that answers for it, including answers that are unicast and so never reach a passive listener.
 *
 * @param probeIntervalMs how often each node probes each VIP; 0 turns probing off (the passive watch stays)
 * @param silentAfterMs   a VIP's owner that answered none of a node's probes for this long is reported as not
 *                        answering by that node
 */
public record Watch(int probeIntervalMs, int silentAfterMs) {
    public static final Watch DEFAULT = new Watch(1_000, 3_000);

    /**
     * Probes a node sends per second at most, all VIPs together: with many VIPs each is probed less often than
     * {@code probeIntervalMs} (a thousand VIPs: every 10 s), so a large cluster does not spend its CPU and its
     * segment on probes and their answers (at 1000 probes a second per node, three daemons on two cores lost their
     * leases).
     */
    public static final int MAX_PROBES_PER_SECOND = 100;

    /** How often each of {@code vips} VIPs is probed: the configured interval, or longer within the probe budget. */
    public int probeIntervalMs(int vips) {
        return probeIntervalMs <= 0 ? probeIntervalMs
                : (int) Math.max(probeIntervalMs, vips * 1000L / MAX_PROBES_PER_SECOND);
    }

    /** How long without an answer makes an owner silent, with {@code vips} VIPs: at least three probe intervals. */
    public long silentAfterMs(int vips) {
        return Math.max(silentAfterMs, 3L * probeIntervalMs(vips));
    }

    /** How long a MAC not heard again still counts as answering: five probe rounds, at least 5 s. */
    public long conflictClearMs() {
        return Math.max(5_000L, 5L * probeIntervalMs);
    }
}
