package io.vipd.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Where one failover's time went, from the daemons' own log lines (millisecond timestamps, and one clock: the test
 * bed's hosts are namespaces of one machine). Each field is milliseconds after the fault, -1 if its line is missing:
 * the leader's decision ("placing VIP ..."), the new owner applying the owner change ("VIP ...: owner ... -> ..."),
 * and the new owner adding the address ("acquired VIP ...", after which its fence opens and its first gratuitous
 * ARP goes out in the same step).
 */
public record FailoverTimeline(long decidedMs, long appliedMs, long boundMs) {

    /** Reads the timeline of {@code vip} moving to {@code newOwnerNode} after a fault at {@code faultWallMs}. */
    public static FailoverTimeline read(List<Path> allLogs, Path newOwnerLog, String vip, String newOwnerNode,
                                        long faultWallMs) throws IOException {
        long decided = -1;
        for (Path log : allLogs) {
            long t = first(log, "Placement: placing VIP " + vip + " on " + newOwnerNode + " ", faultWallMs);
            if (t >= 0 && (decided < 0 || t < decided)) {
                decided = t;
            }
        }
        long applied = first(newOwnerLog, ": VIP " + vip + ": owner ", faultWallMs, " -> " + newOwnerNode + " ");
        long bound = first(newOwnerLog, "HostActuator: acquired VIP " + vip + " ", faultWallMs);
        return new FailoverTimeline(decided, applied, bound);
    }

    /** Milliseconds after {@code fromWallMs} of the first line at or after it containing every one of {@code parts}. */
    private static long first(Path log, String marker, long fromWallMs, String... parts) throws IOException {
        // ISO-8859-1: a log line cut by a SIGKILL must not stop the reading
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
            if (!line.contains(marker) || !containsAll(line, parts)) {
                continue;
            }
            long wall = wallMillis(line, fromWallMs);
            if (wall >= fromWallMs) {
                return wall - fromWallMs;
            }
        }
        return -1;
    }

    private static boolean containsAll(String line, String... parts) {
        for (String p : parts) {
            if (!line.contains(p)) {
                return false;
            }
        }
        return true;
    }

    /** The line's "HH:mm:ss.SSS" on the day of {@code nearWallMs} (or the next, across midnight), or -1. */
    static long wallMillis(String line, long nearWallMs) {
        if (line.length() < 12) {
            return -1;
        }
        try {
            LocalTime time = LocalTime.parse(line.substring(0, 12));
            ZoneId zone = ZoneId.systemDefault();
            LocalDate day = Instant.ofEpochMilli(nearWallMs).atZone(zone).toLocalDate();
            long wall = time.atDate(day).atZone(zone).toInstant().toEpochMilli();
            return wall < nearWallMs - 43_200_000L ? wall + 86_400_000L : wall;
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** "decided 812, applied 826, bound 829" (ms after the fault), with "-" for a missing step. */
    @Override
    public String toString() {
        return "decided " + ms(decidedMs) + ", applied on the new owner " + ms(appliedMs) + ", address added "
                + ms(boundMs);
    }

    private static String ms(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }
}
