package io.vipd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vipctl watch [--json]}: events as the local daemon applies or sees them, until interrupted (like
 * {@code crm_mon} following): ownership changes, lease lapses, check results, conflicts, membership, reloads.
 */
@Command(name = "watch", description = "Follow events as they happen on this node until interrupted: ownership "
        + "changes (as the log commits them), lease lapses, check results, conflicts, membership changes, reloads. "
        + "--json prints each event as a JSON line, for scripts.")
final class WatchCommand implements Callable<Integer> {
    @ParentCommand
    Vipctl parent;

    @Option(names = "--json", description = "print each event as one JSON line")
    boolean json;

    @Override
    public Integer call() {
        int[] exit = {0};
        try {
            ControlClient.stream(parent.socket, "watch", line -> {
                JsonNode event;
                try {
                    event = Vipctl.JSON.readTree(line);
                } catch (IOException e) {
                    System.err.println("vipctl: unreadable event from vipd: " + line);
                    exit[0] = 1;
                    return false;
                }
                if (event.has("error")) {
                    String error = event.get("error").asText();
                    System.err.println("vipd: " + error);
                    exit[0] = error.startsWith(Vipctl.DENIED) ? Vipctl.EXIT_PERMISSION_DENIED : 1;
                    return false;
                }
                if (json) {
                    if (!event.has("watching")) {
                        System.out.println(line);
                    }
                } else {
                    print(event, System.out);
                }
                System.out.flush();
                return true;
            });
        } catch (ControlClient.NotRunningException e) {
            System.err.println(e.getMessage());
            return Vipctl.EXIT_NOT_RUNNING;
        } catch (ControlClient.PermissionDeniedException e) {
            System.err.println("vipctl: " + e.getMessage());
            return Vipctl.EXIT_PERMISSION_DENIED;
        } catch (IOException e) {
            System.err.println("vipctl: " + e.getMessage());
            return Vipctl.EXIT_NOT_RUNNING;
        }
        return exit[0];
    }

    /** One event as a line for people. */
    static void print(JsonNode e, PrintStream out) {
        if (e.has("watching")) {
            out.println("watching vipd (Ctrl-C to stop): " + e.get("watching").asText());
            return;
        }
        String time = e.path("time").asText();
        String what = switch (e.path("event").asText()) {
            case "ownership" -> e.path("vip").asText() + " " + e.path("change").asText() + " "
                    + e.path("from").asText("-") + " -> " + e.path("to").asText("-") + " (epoch "
                    + e.path("epoch").asLong() + "): " + e.path("reason").asText();
            case "lease" -> "this node's lease " + e.path("state").asText() + " (no renewal confirmed for "
                    + e.path("sinceRenewalMillis").asLong() + " ms): its VIPs are released";
            case "checks" -> "checks on this node: " + e.path("results").toString();
            case "conflict" -> "CONFLICT on " + e.path("vip").asText() + ": MAC " + e.path("mac").asText()
                    + " answers for it (epoch " + e.path("epoch").asLong() + ")";
            case "membership" -> "members: " + String.join(", ", Vipctl.JSON.convertValue(e.path("members"),
                    String[].class));
            case "reload" -> "configuration reload " + e.path("result").asText();
            default -> e.toString();
        };
        out.println(time + "  " + what);
    }
}
