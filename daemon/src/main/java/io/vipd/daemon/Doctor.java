package io.vipd.daemon;

import io.vipd.config.AddressText;
import io.vipd.cluster.Assigner;
import io.vipd.cluster.NodeFacts;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.DoctorReport;
import io.vipd.control.DoctorReport.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vipctl doctor}'s judgement: from what this node heard answering its probes, the replicated table and
 * this host's own state, the findings with their fixes. No I/O here: {@link DoctorRun} gathers the inputs, so every
 * judgement is unit-tested.
 */
final class Doctor {
    private Doctor() {}

    /** The fence's tables, as nftables lists them. */
    /** The tables vipd makes: ip6 vipd only with IPv6 VIPs, but it is vipd's own whenever it exists. */
    private static final Set<String> OWN_TABLES = io.vipd.host.NftablesEncoder.ownTables(true);

    /**
     * Everything the doctor looks at.
     *
     * @param heard        VIP → MACs that answered this node's probes (or claimed the VIP) while it listened
     * @param heldHere     VIPs this node holds (address on, fence open): its own answers are not heard here
     * @param probeErrors  why probing a VIP failed here, per VIP
     * @param strayHere    VIP addresses found on this host that it does not hold (it removes them within a second)
     * @param arpIgnore    VIP interface → the effective arp_ignore (max of "all" and the interface), -1 if unread
     * @param addressedInterfaces how many interfaces of this host (loopback aside) carry an IPv4 address
     * @param others       other VIP managers running on this host (in its network namespace), "name (pid N)"
     */
    record Inputs(VipdConfig config, VipTable table, List<String> vips, Map<String, Set<String>> heard,
                  Set<String> heldHere, Map<String, String> probeErrors, List<String> strayHere,
                  Map<String, Integer> arpIgnore, int addressedInterfaces, List<String> others, String leader,
                  List<String> nftTables) {}

    static DoctorReport examine(Inputs in) {
        List<Finding> problems = new ArrayList<>();
        List<Finding> warnings = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        List<String> notChecked = new ArrayList<>();
        VipdConfig c = in.config();
        String self = c.nodeId();
        VipTable t = in.table();
        for (String name : in.vips()) {
            VipSpec spec = c.vip(name).orElseThrow();
            VipState s = t.vip(name);
            String holder = s.holder();
            String holderMac = holder == null ? null : NodeFacts.mac(t, holder, spec.iface()).orElse(null);
            Set<String> macs = in.heard().getOrDefault(name, Set.of());
            List<String> described = new ArrayList<>();
            macs.forEach(m -> described.add(m + " (" + NodeFacts.memberWithMac(t, m).map(x -> "member " + x)
                    .orElse("not a member") + ")"));
            if (in.heldHere().contains(name)) {
                described.add("this node (holds it)");
            }
            checked.add(name + " " + spec.cidr() + " on " + spec.iface() + ": answered by "
                    + (described.isEmpty() ? "no one" : String.join(", ", described)) + "; owner "
                    + (s.owner() == null ? "(none)" : s.owner() + (holderMac == null ? "" : " at " + holderMac)));
            String probeError = in.probeErrors().get(name);
            if (probeError != null) {
                notChecked.add(name + ": could not probe from this node (" + probeError + ")");
            }
            for (String mac : macs) {
                if (mac.equalsIgnoreCase(holderMac)) {
                    continue;
                }
                String member = NodeFacts.memberWithMac(t, mac).orElse(null);
                problems.add(new Finding(DoctorReport.PROBLEM, name, "MAC " + mac + " answers for " + name + " "
                        + AddressText.of(spec.address()) + " but is not its owner's"
                        + (holderMac == null ? "" : " (" + holder + ", " + holderMac + ")") + "; "
                        + (member == null ? "it is not a member of cluster " + c.clusterName()
                                : "it is member " + member),
                        member == null ? "find the host by its MAC (switch MAC table, `ip neigh` on a router) and "
                                + "remove " + AddressText.of(spec.address()) + " from it, or stop the other "
                                + "system (keepalived, another vipd cluster) that claims it"
                                : "run vipctl doctor on " + member.split(" ")[0] + "; look for a second daemon or "
                                + "an address added by hand there"));
            }
            if (s.owner() == null) {
                problems.add(new Finding(DoctorReport.PROBLEM, name, name + " has no owner: " + s.reason(),
                        "vipctl status shows why each node is not eligible (checks, drain, links, definitions)"));
            } else if (holder == null) {
                warnings.add(new Finding(DoctorReport.WARNING, name, name + " is moving to " + s.owner()
                        + ", waiting for " + s.releasing() + " to let go", "wait a moment and run doctor again"));
            } else if (!holder.equals(self) && probeError == null && holderMac != null
                    && macs.stream().noneMatch(m -> m.equalsIgnoreCase(holderMac))) {
                problems.add(new Finding(DoctorReport.PROBLEM, name, "the owner " + holder + " (" + holderMac
                        + ") did not answer this node's " + probes(spec) + " for " + AddressText.of(spec.address()),
                        "check " + holder + "'s link " + spec.iface() + " and its journal (journalctl -u vipd); a "
                                + "switch or VLAN between " + self + " and " + holder + " may drop "
                                + spec.resolution()));
            } else if (holder.equals(self) && !in.heldHere().contains(name)) {
                problems.add(new Finding(DoctorReport.PROBLEM, name, "this node owns " + name + " but does not "
                        + "carry it (lease not confirmed)", "see this node's journal: renewals are failing"));
            }
            if (in.leader() != null && t.definitions().containsKey(in.leader())
                    && !t.definitionsOf(in.leader()).containsKey(name)) {
                problems.add(new Finding(DoctorReport.PROBLEM, name, "the Raft leader " + in.leader() + " does not "
                        + "define " + name + ": only the leader places VIPs, so " + name + " is not placed or moved "
                        + "while " + in.leader() + " leads", "reload " + in.leader() + " with vip." + name + ".*, or "
                        + "run vipctl lead on a node that defines " + name));
            }
            for (Peer p : c.peers()) {
                String stray = t.observedBy(p.id()).get(NodeFacts.strayKey(name));
                if (stray != null && !p.id().equals(self)) {
                    warnings.add(new Finding(DoctorReport.WARNING, name, p.id() + " found " + name + "'s address "
                            + stray + " without holding " + name + " and removed it (within the last ten minutes)",
                            "on " + p.id() + ": find what adds it (a network manager, a script, netplan/ifupdown "
                                    + "config) and stop it"));
                }
                String link = Assigner.linkProblem(t, spec, p.id());
                if (link != null) {
                    warnings.add(new Finding(DoctorReport.WARNING, name, p.id() + "'s " + link + ": it is not given "
                            + name, "bring the link up on " + p.id() + " (cable, switch port, ip link set ... up)"));
                }
                if (!Assigner.definedAlike(t, spec, p.id()) && t.definitions().containsKey(p.id())) {
                    warnings.add(new Finding(DoctorReport.WARNING, name, p.id() + " defines " + name + " as "
                            + t.definitionsOf(p.id()).getOrDefault(name, "nothing") + ", this node as "
                            + spec.cidr() + "; it is never given " + name, "make vip." + name + " the same in every "
                            + "node's vipd.conf and reload"));
                }
            }
        }
        for (String stray : in.strayHere()) {
            warnings.add(new Finding(DoctorReport.WARNING, null, "VIP address " + stray + " was on this host though "
                    + "it does not hold it; vipd removes it within a second",
                    "find what adds it (a network manager, a script, netplan/ifupdown config) and stop it"));
        }
        for (String other : in.others()) {
            problems.add(new Finding(DoctorReport.PROBLEM, null, other + " runs on this host: two programs manage "
                    + "floating addresses here", "stop and disable it (systemctl disable --now ...), or remove "
                    + "the VIPs it manages from one of the two"));
        }
        checked.add("other VIP managers on this host (keepalived, ucarp, a second vipd): "
                + (in.others().isEmpty() ? "none" : String.join(", ", in.others())));
        in.arpIgnore().forEach((iface, value) -> {
            if (value < 0) {
                notChecked.add("arp_ignore of " + iface + ": unreadable");
                return;
            }
            checked.add("arp_ignore on " + iface + ": " + value + " (" + in.addressedInterfaces()
                    + " interfaces with IPv4 addresses)");
            if (value == 0 && in.addressedInterfaces() > 1) {
                warnings.add(new Finding(DoctorReport.WARNING, null, "arp_ignore is 0 and this host has "
                        + in.addressedInterfaces() + " addressed interfaces: if two share the VIP's segment, both "
                        + "answer ARP for the VIP on " + iface + " (ARP flux: two MACs of one host)",
                        "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2, and keep it in "
                                + "/etc/sysctl.d/"));
            }
        });
        Timing timing = c.timing();
        checked.add("timing: lease " + timing.leaseMs() + " ms, renewed every " + timing.renewIntervalMs()
                + " ms, failover after " + timing.failoverTimeoutMs() + " ms (" + (timing.failoverTimeoutMs()
                - timing.leaseMs()) + " ms after the last lease can end)");
        if (in.nftTables().isEmpty()) {
            notChecked.add("nftables tables on this host: could not be listed");
        } else {
            checked.add("nftables tables on this host: " + String.join(", ", in.nftTables()));
            for (String table : in.nftTables()) {
                String name = table.substring(table.indexOf(' ') + 1);
                boolean ours = OWN_TABLES.contains(table);
                if (!ours && (name.contains("vipd") || name.contains("keepalived"))) {
                    problems.add(new Finding(DoctorReport.PROBLEM, null, "nftables table '" + table + "' belongs to "
                            + (name.contains("vipd") ? "another vipd (another install or version)" : "keepalived")
                            + ": its rules may answer or drop ARP for the VIPs", "remove it (nft delete table "
                            + table + ") once the program that made it is stopped"));
                }
            }
            Set<String> needed = io.vipd.host.NftablesEncoder.ownTables(io.vipd.host.NftablesEncoder.anyIpv6(
                    c.vips().stream().map(VipSpec::address).toList()));
            if (!in.nftTables().containsAll(needed)) {
                problems.add(new Finding(DoctorReport.PROBLEM, null, "vipd's own fence tables are missing ("
                        + String.join(", ", needed) + ")", "vipd installs them again within a second; if this "
                        + "persists, see its journal"));
            }
        }
        notChecked.add("VIP addresses on other members: each member removes its own within a second and logs it; "
                + "run doctor there to see");
        List<Finding> findings = new ArrayList<>(problems);
        findings.addAll(warnings);
        return new DoctorReport(self, findings, checked, notChecked);
    }

    /** What this node probes a VIP with, as operators know it. */
    private static String probes(VipSpec spec) {
        return spec.address() instanceof java.net.Inet6Address ? "neighbour solicitations (DAD probes)"
                : "ARP probes";
    }
}
