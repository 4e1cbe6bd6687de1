package io.vipd.control;

import java.util.List;

/**
 * What {@code vipctl doctor} found, as the daemon of one node reports it: each finding with its fix, what it
 * checked (with what it saw), and what it could not check.
 *
 * @param node       the node that ran the checks
 * @param findings   problems (exit status 1) and warnings (worth a look, exit status 0), most serious first
 * @param checked    each check that ran, one line with what it saw
 * @param notChecked what this run could not check, and why
 */
public record DoctorReport(String node, List<Finding> findings, List<String> checked, List<String> notChecked) {
    public static final String PROBLEM = "problem";
    public static final String WARNING = "warning";

    public DoctorReport {
        findings = List.copyOf(findings);
        checked = List.copyOf(checked);
        notChecked = List.copyOf(notChecked);
    }

    /**
     * @param severity {@link #PROBLEM} or {@link #WARNING}
     * @param vip      the VIP it concerns, or null for the node or host
     * @param what     what is wrong, with who and where
     * @param fix      what to do about it
     */
    public record Finding(String severity, String vip, String what, String fix) {}

    /** No problem found (warnings may remain). */
    public boolean healthy() {
        return findings.stream().noneMatch(f -> PROBLEM.equals(f.severity()));
    }
}
