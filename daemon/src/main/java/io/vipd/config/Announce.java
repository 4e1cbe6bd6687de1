package io.vipd.config;

/**
 * How the owner announces a VIP with gratuitous ARP: a burst when it takes the VIP over, then a slow refresh so
 * switches and neighbours that missed the burst learn it eventually.
 *
 * @param burstCount      frames sent on takeover
 * @param burstIntervalMs spacing between the takeover frames
 * @param refreshMs       interval of the refresh while the VIP stays owned; 0 turns refresh off
 */
public record Announce(int burstCount, int burstIntervalMs, int refreshMs) {
    public static final Announce DEFAULT = new Announce(3, 100, 10_000);
}
