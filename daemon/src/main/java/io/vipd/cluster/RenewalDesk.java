package io.vipd.cluster;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's side of a lease renewal, which is not a log entry. The consensus layer calls {@link #serve} on the
 * leader only, and only after a majority confirmed its leadership in a round that began after the renewal was
 * sent (Ratis's linearizable read-only request: the ReadIndex round; the simulation's compact Raft does the same).
 * So when this leader records the renewal, the renewing node's lease, counted from when it sent it, has already
 * begun: the leader's clock for that node never runs ahead of the node's lease.
 *
 * <p>The reply names what the node owns in the table this leader has applied, and the leader's view of every
 * member for the others' status.
 */
public final class RenewalDesk {
    /** Why a renewal was not confirmed; the renewing node's lease does not extend. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final Liveness liveness;
    private final Supplier<Set<String>> members;
    private final BiFunction<String, Long, String> whyNotEligible;
    private final LongSupplier nanos;

    /**
     * @param members        the cluster's members as this node's configuration names them
     * @param whyNotEligible why a member may not receive VIPs at a given time, or null
     */
    public RenewalDesk(Liveness liveness, Supplier<Set<String>> members,
                       BiFunction<String, Long, String> whyNotEligible, LongSupplier nanos) {
        this.liveness = liveness;
        this.members = members;
        this.whyNotEligible = whyNotEligible;
        this.nanos = nanos;
    }

    /**
     * Confirms {@code node}'s renewal on the leader of {@code term}, whose applied table is {@code view}.
     *
     * @throws Refused if the node is no member, or it is condemned (a failover of its VIPs is under way)
     */
    public RenewReply serve(String node, long term, VipStateMachine.View view) throws Refused {
        long now = nanos.getAsLong();
        Set<String> members = this.members.get();
        if (!members.contains(node)) {
            throw new Refused(node + " is not a member of this cluster");
        }
        liveness.leading(term, graced(members, view.table()), now);
        if (!liveness.confirm(node, now)) {
            throw new Refused("renewal of " + node + " refused: the leader is moving its VIPs to other nodes");
        }
        Map<String, PeerView> views = new TreeMap<>();
        for (String m : members) {
            String why = whyNotEligible.apply(m, now);
            views.put(m, new PeerView(liveness.live(m, now), liveness.sinceMillis(m, now), why));
        }
        return new RenewReply(view.index(), view.table().ownedBy(node), views);
    }

    /** Who a new leader must treat as live for a failover timeout: every member that has not left. */
    public static Set<String> graced(Set<String> members, VipTable table) {
        Set<String> out = new TreeSet<>(members);
        out.removeAll(table.left());
        return out;
    }
}
