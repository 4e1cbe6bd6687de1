package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether every node holds the same replicated table: each VIP's owner and epoch (from status) and the whole
 * ownership history, compared node by node once they have applied the same entries. Nodes apply at their own pace,
 * so a difference counts only if it outlasts a wait.
 */
final class TableComparison {
    private TableComparison() {
    }

    /** "" if every node agrees within 20 s; else what differs on which node. */
    static String compare(Testbed bed) throws InterruptedException {
        String last = "";
        for (int attempt = 0; attempt < 40; attempt++) {
            last = differences(bed);
            if (last.isEmpty()) {
                return "";
            }
            Thread.sleep(500);
        }
        return last;
    }

    private static String differences(Testbed bed) {
        List<String> views = new ArrayList<>();
        for (int i = 1; i <= bed.hostCount(); i++) {
            try {
                views.add(view(bed, i));
            } catch (IOException | RuntimeException e) {
                return bed.node(i) + " did not answer: " + e.getMessage();
            }
        }
        for (int i = 1; i < views.size(); i++) {
            if (!views.get(i).equals(views.get(0))) {
                return bed.node(1) + " has " + abbreviate(views.get(0)) + " but " + bed.node(i + 1) + " has "
                        + abbreviate(views.get(i));
            }
        }
        return "";
    }

    /** Owner and epoch per VIP, then every history event, as one string. */
    private static String view(Testbed bed, int i) throws IOException {
        JsonNode status = bed.control(i, "status", 5_000);
        StringBuilder out = new StringBuilder();
        for (JsonNode v : status.get("vips")) {
            out.append(v.get("name").asText()).append('=').append(v.get("owner").asText()).append('@')
                    .append(v.get("epoch").asLong()).append(' ');
        }
        JsonNode history = bed.control(i, "history", 5_000);
        out.append("| lastSeq ").append(history.get("lastSeq").asLong()).append(" events ")
                .append(history.get("events").size()).append(' ').append(history.get("events").toString());
        return out.toString();
    }

    private static String abbreviate(String view) {
        return view.length() <= 400 ? view : view.substring(0, 200) + " ... " + view.substring(view.length() - 200);
    }
}
