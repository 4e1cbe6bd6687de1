package io.vipd.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipd.Version;
import io.vipd.control.ControlClient;
import io.vipd.control.StatusReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vipctl}: talks to the local vipd over its control socket. */
@Command(name = "vipctl", mixinStandardHelpOptions = true, versionProvider = Vipctl.VersionProvider.class,
        description = "Show and control the local vipd daemon.",
        subcommands = {Vipctl.Status.class, Vipctl.Lead.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the daemon answered with an error", "2:usage error",
                "3:vipd is not running (no answer on the control socket)"})
public final class Vipctl implements Callable<Integer> {
    public static final int EXIT_NOT_RUNNING = 3;
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
            false);

    @Option(names = {"-s", "--socket"}, paramLabel = "PATH", description = "control socket (default: ${DEFAULT-VALUE})")
    Path socket = io.vipd.config.ConfigLoader.DEFAULT_CONTROL_SOCKET;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Vipctl()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Sends {@code request}; prints the problem and returns null when there is no usable answer. */
    JsonNode ask(String request, int[] exit) {
        String answer;
        try {
            answer = ControlClient.request(socket, request, 5000);
        } catch (ControlClient.NotRunningException e) {
            System.err.println(e.getMessage());
            exit[0] = EXIT_NOT_RUNNING;
            return null;
        } catch (IOException e) {
            System.err.println("vipctl: " + e.getMessage());
            exit[0] = EXIT_NOT_RUNNING;
            return null;
        }
        try {
            JsonNode node = JSON.readTree(answer);
            if (node.has("error")) {
                System.err.println("vipd: " + node.get("error").asText());
                exit[0] = 1;
                return null;
            }
            return node;
        } catch (IOException e) {
            System.err.println("vipctl: unreadable answer from vipd: " + e.getMessage());
            exit[0] = 1;
            return null;
        }
    }

    @Command(name = "status", description = "Show the cluster, who owns which VIP, and why.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        Vipctl parent;

        @Option(names = "--json", description = "print the daemon's report as JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            int[] exit = {0};
            JsonNode node = parent.ask("status", exit);
            if (node == null) {
                return exit[0];
            }
            if (json) {
                System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } else {
                print(JSON.treeToValue(node, StatusReport.class), System.out);
            }
            return 0;
        }
    }

    @Command(name = "lead", description = "Make this node the Raft leader (e.g. before maintenance on the current one). "
            + "VIPs do not move.")
    static final class Lead implements Callable<Integer> {
        @ParentCommand
        Vipctl parent;

        @Override
        public Integer call() {
            int[] exit = {0};
            JsonNode node = parent.ask("lead", exit);
            if (node == null) {
                return exit[0];
            }
            System.out.println(node.get("result").asText());
            return 0;
        }
    }

    static void print(StatusReport s, PrintStream out) {
        out.printf("cluster %s: this node %s is %s; leader %s; term %d%n%n", s.cluster(), s.node(), s.role(),
                s.leader() == null ? "(none)" : s.leader(), s.term());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "ADDRESS", "ROLE", "REACHABLE", "LAST RENEWAL"});
        for (StatusReport.NodeStatus n : s.nodes()) {
            rows.add(new String[] {n.id() + (n.self() ? " (this)" : ""), n.address(), n.role(),
                    n.reachable() ? "yes" : "no", n.sinceRenewalMs() < 0 ? "never" : n.sinceRenewalMs() + " ms ago"});
        }
        table(rows, out);
        out.println();
        rows.clear();
        rows.add(new String[] {"VIP", "ADDRESS", "INTERFACE", "OWNER", "EPOCH", "OWNED SINCE", "HERE", "WHY"});
        for (StatusReport.VipStatus v : s.vips()) {
            String here = v.heldHere() ? "held" : "-";
            if (!"-".equals(v.lease())) {
                here = v.lease() + (v.sinceRenewalMs() >= 0 ? " (renewed " + v.sinceRenewalMs() + " ms ago)" : "");
            }
            rows.add(new String[] {v.name(), v.address(), v.iface(), v.owner() == null ? "(none)" : v.owner(),
                    String.valueOf(v.epoch()), v.ownedSince() == null ? "-" : v.ownedSince(), here,
                    v.reason()});
        }
        table(rows, out);
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

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vipctl " + Version.get()};
        }
    }
}
