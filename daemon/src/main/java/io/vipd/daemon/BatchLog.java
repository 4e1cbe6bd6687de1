package io.vipd.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The lines of one round of VIP changes: one line per VIP for a handful of VIPs, and for many, one line per kind of
 * change naming the first VIPs and counting the rest. A host with a thousand VIPs that takes or loses them at once
 * would otherwise write a thousand lines in a burst, on the thread that must also renew its lease.
 */
final class BatchLog {
    /** Up to this many VIPs in a round are logged one line each. */
    static final int EACH_UP_TO = 20;
    /** A summary names this many VIPs of its kind. */
    static final int NAMED = 10;

    private final Logger log;
    private final List<String> lines = new ArrayList<>();
    /** Per line, the fields a JSON log line carries besides the message ({@code VIPD_LOG_FORMAT=json}). */
    private final List<Map<String, Object>> fields = new ArrayList<>();
    private final Map<String, List<String>> byKind = new LinkedHashMap<>();

    BatchLog(Logger log) {
        this.log = log;
    }

    /** One VIP's change: {@code kind} says what happened to it as a summary would ("acquired on eth0"). */
    void add(String vip, String kind, String line) {
        add(vip, kind, line, Map.of("vip", vip));
    }

    /** As {@link #add(String, String, String)}, with the fields of the line for machine-read logs. */
    void add(String vip, String kind, String line, Map<String, Object> lineFields) {
        lines.add(line);
        fields.add(lineFields);
        byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(vip);
    }

    /** Logs the round's changes and starts a new round. */
    void flush() {
        if (lines.size() <= EACH_UP_TO) {
            for (int i = 0; i < lines.size(); i++) {
                org.slf4j.spi.LoggingEventBuilder event = log.atInfo().setMessage(lines.get(i));
                fields.get(i).forEach(event::addKeyValue);
                event.log();
            }
        } else {
            byKind.forEach((kind, vips) -> log.info("{} {}: {}", vips.size() == 1 ? "1 VIP" : vips.size() + " VIPs",
                    kind, names(vips)));
        }
        lines.clear();
        fields.clear();
        byKind.clear();
    }

    static String names(List<String> vips) {
        String first = String.join(", ", vips.subList(0, Math.min(NAMED, vips.size())));
        return vips.size() <= NAMED ? first : first + " and " + (vips.size() - NAMED) + " more";
    }
}
