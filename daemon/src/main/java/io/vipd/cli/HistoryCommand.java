package io.vipd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipd.control.HistoryReport;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vipctl history [VIP] [--since T] [--json]}: every ownership change the cluster decided, in the order of its
 * replicated log, with why; the same on every node.
 */
@Command(name = "history", description = "Show the cluster's ownership changes, oldest first: when, which VIP, from "
        + "which node to which, why (failover after how long without a renewal, handover for a move, drain, "
        + "preemption or a failed check, release on shutdown). The same on every node; the last 1000 are kept.")
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    Vipctl parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "VIP", arity = "0..1", description = "only this VIP's changes")
    String vip;

    @Option(names = "--since", paramLabel = "T", description = "only changes from T on: a time ago (90s, 15m, 2h, "
            + "7d) or an ISO-8601 time (2026-12-07T08:00:00Z)")
    String since;

    @Option(names = "--json", description = "print the selected changes as JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Instant from;
        try {
            from = since == null ? null : HistoryText.since(since, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int[] exit = {0};
        JsonNode node = parent.ask("history", exit);
        if (node == null) {
            return exit[0];
        }
        HistoryReport report = Vipctl.JSON.treeToValue(node, HistoryReport.class);
        List<HistoryReport.Event> events = HistoryText.select(report, vip, from);
        if (json) {
            System.out.println(Vipctl.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(events));
        } else {
            HistoryText.print(report, events, System.out);
        }
        return 0;
    }
}
