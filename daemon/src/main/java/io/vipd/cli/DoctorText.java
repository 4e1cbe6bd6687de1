package io.vipd.cli;

import io.vipd.control.DoctorReport;
import java.io.PrintStream;

/** {@code vipctl doctor} as text: findings with their fixes first, then what was checked and what was not. */
final class DoctorText {
    private DoctorText() {}

    static void print(DoctorReport r, PrintStream out) {
        long problems = r.findings().stream().filter(f -> DoctorReport.PROBLEM.equals(f.severity())).count();
        long warnings = r.findings().size() - problems;
        out.printf("vipctl doctor on %s: %s%n", r.node(), problems == 0 && warnings == 0 ? "no problem found"
                : problems + " problem" + (problems == 1 ? "" : "s") + ", " + warnings + " warning"
                        + (warnings == 1 ? "" : "s"));
        for (DoctorReport.Finding f : r.findings()) {
            out.printf("%n%s%s: %s%n  fix: %s%n", f.severity().toUpperCase(java.util.Locale.ROOT),
                    f.vip() == null ? "" : " (" + f.vip() + ")", f.what(), f.fix());
        }
        out.printf("%nchecked:%n");
        r.checked().forEach(c -> out.println("  " + c));
        if (!r.notChecked().isEmpty()) {
            out.printf("not checked:%n");
            r.notChecked().forEach(c -> out.println("  " + c));
        }
    }
}
