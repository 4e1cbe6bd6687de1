package io.vipd.cli;

import io.vipd.control.StatusReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code vipctl status} as text: the cluster line, the members, the VIPs, conflicts and placement inputs. */
final class StatusText {
    private StatusText() {}

    static void print(StatusReport s, PrintStream out) {
        out.printf("cluster %s: this node %s is %s; leader %s; term %d%n%n", s.cluster(), s.node(), s.role(),
                s.leader() == null ? "(none)" : s.leader(), s.term());
        if (s.security() != null) {
            out.printf("raft traffic: %s%n%n", s.security());
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "ADDRESS", "ROLE", "REACHABLE", "LAST RENEWAL", "DRAINED"});
        for (StatusReport.NodeStatus n : s.nodes()) {
            rows.add(new String[] {n.id() + (n.self() ? " (this)" : ""), n.address(), n.role(),
                    n.reachable() ? "yes" : "no", n.sinceRenewalMs() < 0 ? "never" : n.sinceRenewalMs() + " ms ago",
                    n.drained() ? "yes" : "no"});
        }
        table(rows, out);
        for (StatusReport.NodeStatus n : s.nodes()) {
            if (n.ineligible() != null) {
                out.printf("%s gets no VIPs: %s%n", n.id(), n.ineligible());
            }
        }
        out.println();
        rows.clear();
        rows.add(new String[] {"VIP", "ADDRESS", "INTERFACE", "OWNER", "OWNER MAC", "EPOCH", "OWNED SINCE", "HERE",
            "WHY"});
        for (StatusReport.VipStatus v : s.vips()) {
            String here = v.heldHere() ? "held" : "-";
            if (!"-".equals(v.lease())) {
                here = v.lease() + (v.sinceRenewalMs() >= 0 ? " (renewed " + v.sinceRenewalMs() + " ms ago)" : "");
            }
            String why = v.reason() + (v.releasing() == null ? "" : "; waiting for " + v.releasing() + " to let go");
            rows.add(new String[] {v.name(), v.address(), v.iface(), v.owner() == null ? "(none)" : v.owner(),
                    v.ownerMac() == null ? "-" : v.ownerMac(), String.valueOf(v.epoch()), v.ownedSince() == null ? "-" : v.ownedSince(), here, why});
        }
        table(rows, out);
        for (StatusReport.VipStatus v : s.vips()) {
            if (!v.conflicts().isEmpty()) {
                out.printf("%nCONFLICT on %s %s: another MAC answers for it (owner %s%s):%n", v.name(), v.address(),
                        v.owner() == null ? "(none)" : v.owner(), v.ownerMac() == null ? "" : " at " + v.ownerMac());
                v.conflicts().forEach(c -> out.println("  " + c));
                out.println("  see README \"When two MACs answer\"; vipctl doctor on the member named, if any");
            }
        }
        if (!s.membership().isEmpty()) {
            out.println();
            out.println("membership: the group and this node's configuration file differ:");
            s.membership().forEach(d -> out.println("  " + d));
        }
        if (!s.operatorActions().isEmpty()) {
            out.println();
            out.println("recent operator actions (applied here since this daemon started):");
            s.operatorActions().forEach(a -> out.println("  " + a));
        }
        // Per VIP: the inputs of the placement decision (preference, preemption, each node's check results).
        boolean header = false;
        for (StatusReport.VipStatus v : s.vips()) {
            boolean plain = v.group() == null && (v.preferred() == null || v.preferred().isEmpty())
                    && "off".equals(v.preempt())
                    && (v.health() == null || v.health().isEmpty())
                    && (v.disagreements() == null || v.disagreements().isEmpty());
            if (plain) {
                continue;
            }
            if (!header) {
                out.println();
                header = true;
            }
            StringBuilder sb = new StringBuilder(v.name()).append(v.group() == null ? "" : " (group " + v.group()
                    + ": moves with " + String.join(", ", s.vips().stream().filter(o -> v.group().equals(o.group())
                            && !o.name().equals(v.name())).map(StatusReport.VipStatus::name).toList()) + ")")
                    .append(": prefer ")
                    .append(v.preferred() == null || v.preferred().isEmpty() ? "(none)" : String.join(", ",
                            v.preferred()))
                    .append("; preempt ").append(v.preempt());
            if (v.health() != null && !v.health().isEmpty()) {
                List<String> parts = new ArrayList<>();
                v.health().forEach((n, h) -> parts.add(n + " " + h));
                sb.append("; checks: ").append(String.join(", ", parts));
            }
            if (v.disagreements() != null && !v.disagreements().isEmpty()) {
                List<String> parts = new ArrayList<>();
                v.disagreements().forEach((n, d) -> parts.add(n + " has " + d));
                sb.append("; CONFIG MISMATCH (not given to them): ").append(String.join(", ", parts));
            }
            out.println(sb);
        }
    }

    private static void table(List<String[]> rows, PrintStream out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(r[i]);
                if (i < r.length - 1) {
                    sb.append(" ".repeat(widths[i] - r[i].length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

}
