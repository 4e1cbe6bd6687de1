package io.vipd.cluster;

/**
 * What the leader knows of one member when it confirms a renewal: whether its renewals arrive, how long ago the
 * last did, and why it may not receive VIPs. Only the leader sees renewals, so the other nodes show this in their
 * status, as of their own latest renewal.
 *
 * @param live           its renewals arrive (or it is within a new leader's grace)
 * @param sinceRenewalMs since the leader confirmed its latest renewal; -1 if none in this term
 * @param ineligible     why it may not receive VIPs now; "" if it may
 */
public record PeerView(boolean live, long sinceRenewalMs, String ineligible) {
    public PeerView {
        ineligible = ineligible == null ? "" : ineligible;
    }

    String encode() {
        return (live ? "1" : "0") + "," + sinceRenewalMs + "," + ineligible;
    }

    static PeerView decode(String text) throws java.io.IOException {
        String[] parts = text.split(",", 3);
        if (parts.length != 3 || !(parts[0].equals("0") || parts[0].equals("1"))) {
            throw new java.io.IOException("malformed member view: " + text);
        }
        try {
            return new PeerView(parts[0].equals("1"), Long.parseLong(parts[1]), parts[2]);
        } catch (NumberFormatException e) {
            throw new java.io.IOException("malformed member view: " + text);
        }
    }
}
