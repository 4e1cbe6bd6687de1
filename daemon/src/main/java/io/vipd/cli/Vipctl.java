package io.vipd.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipd.Version;
import io.vipd.control.ControlClient;
import io.vipd.control.DoctorReport;
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
        subcommands = {Vipctl.Status.class, Vipctl.Doctor.class, Vipctl.Move.class, Vipctl.Drain.class, Vipctl.Undrain.class,
                Vipctl.Reload.class,
                Vipctl.Lead.class, HistoryCommand.class, WatchCommand.class, MemberCommand.class, CertCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the daemon answered with an error", "2:usage error",
                "3:vipd is not running (no answer on the control socket)",
                "4:permission denied (this user may not use the control socket, or not for this command)"})
public final class Vipctl implements Callable<Integer> {
    public static final int EXIT_NOT_RUNNING = 3;
    /**
     * Not "not running": the daemon may well run, but this user may not talk to it (the socket's mode), or the
     * daemon refused the request for this user (an error answer starting with {@link #DENIED}).
     */
    public static final int EXIT_PERMISSION_DENIED = 4;
    /** How the daemon's refusal of a request for its caller starts. */
    static final String DENIED = "permission denied";
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
        return ask(request, exit, 5000);
    }

    /** As {@link #ask(String, int[])}, waiting up to {@code timeoutMs} for the answer. */
    JsonNode ask(String request, int[] exit, long timeoutMs) {
        String answer;
        try {
            answer = ControlClient.request(socket, request, timeoutMs);
        } catch (ControlClient.NotRunningException e) {
            System.err.println(e.getMessage());
            exit[0] = EXIT_NOT_RUNNING;
            return null;
        } catch (ControlClient.PermissionDeniedException e) {
            System.err.println("vipctl: " + e.getMessage());
            exit[0] = EXIT_PERMISSION_DENIED;
            return null;
        } catch (IOException e) {
            System.err.println("vipctl: " + e.getMessage());
            exit[0] = EXIT_NOT_RUNNING;
            return null;
        }
        if (answer.startsWith("error: ")) {
            // a refusal before any request is read (too many control connections): plain text, not JSON
            System.err.println("vipd: " + answer.substring("error: ".length()));
            exit[0] = 1;
            return null;
        }
        try {
            JsonNode node = JSON.readTree(answer);
            if (node.has("error")) {
                String error = node.get("error").asText();
                System.err.println("vipd: " + error);
                exit[0] = error.startsWith(DENIED) ? EXIT_PERMISSION_DENIED : 1;
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
                StatusText.print(JSON.treeToValue(node, StatusReport.class), System.out);
            }
            return 0;
        }
    }

    @Command(name = "doctor", description = "Probe each VIP from this node and check what could make two MACs answer "
            + "or none: every MAC that answers, the owner's answer, links, definitions, other VIP managers on this "
            + "host, kernel ARP settings. Exit status 0 when no problem is found, 1 when one is.")
    static final class Doctor implements Callable<Integer> {
        @ParentCommand
        Vipctl parent;

        @Option(names = "--json", description = "print the daemon's findings as JSON")
        boolean json;

        @CommandLine.Parameters(paramLabel = "VIP", description = "the VIPs to examine (default: all)")
        List<String> vips = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            int[] exit = {0};
            JsonNode node = parent.ask(String.join(" ", java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("doctor"), vips.stream()).toList()), exit);
            if (node == null) {
                return exit[0];
            }
            DoctorReport report = JSON.treeToValue(node, DoctorReport.class);
            if (json) {
                System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } else {
                DoctorText.print(report, System.out);
            }
            return report.healthy() ? 0 : 1;
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

    /** Sends one request and prints its one-line result. */
    int simple(String request) {
        return simple(request, 5000);
    }

    /** As {@link #simple(String)}, waiting up to {@code timeoutMs} for the answer. */
    int simple(String request, long timeoutMs) {
        int[] exit = {0};
        JsonNode node = ask(request, exit, timeoutMs);
        if (node == null) {
            return exit[0];
        }
        System.out.println(node.get("result").asText());
        return 0;
    }

    /** VIP and node names are single words of letters, digits, '-' and '_' (as in vipd.conf). */
    static void checkName(picocli.CommandLine.Model.CommandSpec spec, String what, String value) {
        if (value != null && !value.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,62}")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    what + " '" + value + "' is not a valid name (letters, digits, '-' or '_')");
        }
    }

    /** This node's name, from its status; null (and the exit code in {@code exit}) if the daemon gives none. */
    static String localNode(Vipctl parent, int[] exit) {
        JsonNode node = parent.ask("status", exit);
        return node == null ? null : node.get("node").asText();
    }

    @Command(name = "move", description = "Hand VIP over to NODE: the owner lets go, then NODE answers (no failover "
            + "timeout). Refused, with the reason, if NODE is drained, unreachable or fails the VIP's checks.")
    static final class Move implements Callable<Integer> {
        @ParentCommand
        Vipctl parent;

        @picocli.CommandLine.Parameters(index = "0", paramLabel = "VIP")
        String vip;

        @picocli.CommandLine.Parameters(index = "1", paramLabel = "NODE")
        String node;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            checkName(spec, "VIP", vip);
            checkName(spec, "NODE", node);
            return parent.simple("move " + vip + " " + node);
        }
    }

    /** drain and undrain: the same request on a node, this one by default. */
    abstract static class NodeRequest implements Callable<Integer> {
        @ParentCommand
        Vipctl parent;

        @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "NODE")
        String node;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        abstract String verb();

        @Override
        public Integer call() {
            checkName(spec, "NODE", node);
            int[] exit = {0};
            String target = node != null ? node : localNode(parent, exit);
            return target == null ? exit[0] : parent.simple(verb() + " " + target);
        }
    }

    @Command(name = "drain", description = "Move every VIP off NODE (default: this node) and keep them off until "
            + "undrain. A VIP with no other eligible node stays and is reported.")
    static final class Drain extends NodeRequest {
        @Override
        String verb() {
            return "drain";
        }
    }

    @Command(name = "reload", description = "Make the daemon re-read its configuration file and apply it without a "
            + "restart (as systemctl reload vipd does). An invalid file is rejected with its file, line and key, "
            + "exit status 1, and the running configuration stays in force.")
    static final class Reload implements Callable<Integer> {
        @ParentCommand
        Vipctl parent;

        @Override
        public Integer call() {
            return parent.simple("reload");
        }
    }

    @Command(name = "undrain", description = "Let NODE (default: this node) receive VIPs again.")
    static final class Undrain extends NodeRequest {
        @Override
        String verb() {
            return "undrain";
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vipctl " + Version.get()};
        }
    }
}
