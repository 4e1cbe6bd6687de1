package io.vipd.cli;

import io.vipd.control.HistoryReport;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** {@code vipctl history} as text, and the filters it takes (a VIP, {@code --since}). */
final class HistoryText {
    private HistoryText() {}

    /**
     * When {@code since} starts, at {@code now}: an ISO-8601 instant ({@code 2026-12-07T08:00:00Z}) or a time ago
     * ({@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}).
     *
     * @throws IllegalArgumentException with what was expected
     */
    static Instant since(String since, Instant now) {
        java.util.regex.Matcher ago = java.util.regex.Pattern.compile("([0-9]{1,9})([smhd])").matcher(since);
        if (ago.matches()) {
            long n = Long.parseLong(ago.group(1));
            Duration d = switch (ago.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since '" + since + "' is neither a time ago (90s, 15m, 2h, 7d) nor "
                    + "an ISO-8601 time (2026-12-07T08:00:00Z)");
        }
    }

    /** The events of {@code vip} (null: all) from {@code since} (null: all) on, oldest first. */
    static List<HistoryReport.Event> select(HistoryReport report, String vip, Instant since) {
        List<HistoryReport.Event> out = new ArrayList<>();
        for (HistoryReport.Event e : report.events()) {
            if ((vip == null || vip.equals(e.vip())) && (since == null || !Instant.parse(e.time()).isBefore(since))) {
                out.add(e);
            }
        }
        return out;
    }

    static void print(HistoryReport report, List<HistoryReport.Event> events, PrintStream out) {
        long kept = report.events().size();
        long dropped = report.lastSeq() - kept;
        out.println("ownership history of cluster " + report.cluster() + ": " + events.size() + " of " + kept
                + " events kept" + (dropped > 0 ? " (" + dropped + " older ones dropped)" : ""));
        if (events.isEmpty()) {
            return;
        }
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "TIME", "VIP", "CHANGE", "FROM", "TO", "EPOCH", "WHY"});
        for (HistoryReport.Event e : events) {
            rows.add(new String[] {String.valueOf(e.seq()), e.time(), e.vip(), e.change(), orDash(e.from()),
                    orDash(e.to()), String.valueOf(e.epoch()), e.reason()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length - 1; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length - 1; i++) {
                line.append(String.format("%-" + widths[i] + "s  ", r[i]));
            }
            out.println(line.append(r[r.length - 1]));
        }
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
