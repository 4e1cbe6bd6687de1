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

    /** How long a MAC not heard again still counts as answering: five probe rounds, at least 5 s. */
    public long conflictClearMs() {
        return Math.max(5_000L, 5L * probeIntervalMs);
    }
}
