package io.vipd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vipctl member add | remove | replace}: changes the group's membership online, one change at a time (see
 * README "Changing the cluster"). The daemon checks each change and refuses it with the reason when it would lose
 * the majority; a member that leaves hands its VIPs over first.
 */
@Command(name = "member", description = "Change the cluster's membership online, one member at a time.",
        subcommands = {MemberCommand.Add.class, MemberCommand.Remove.class, MemberCommand.Replace.class})
final class MemberCommand implements Callable<Integer> {
    /** Draining a leaving member, catching a new one up, two commits: up to about a minute on a slow cluster. */
    static final long TIMEOUT_MS = 90_000;

    @ParentCommand
    Vipctl parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to change: add, remove or replace");
    }

    static void checkAddress(CommandLine.Model.CommandSpec spec, String address) {
        if (address == null || !address.matches("[\\x21-\\x7e]{1,300}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "ADDRESS '" + address
                    + "' is not host:port (example: 198.18.0.4:7400)");
        }
    }

    @Command(name = "add", description = "Add member ID, reached at ADDRESS (host:port of its Raft port), as a voter "
            + "(default), a witness or a listener. Start vipd on it first, with a configuration that names the "
            + "members and itself.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        MemberCommand member;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "ADDRESS")
        String address;

        @CommandLine.Option(names = "--witness", description = "it votes and never holds a VIP")
        boolean witness;

        @CommandLine.Option(names = "--listener", description = "it holds VIPs and does not vote")
        boolean listener;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Vipctl.checkName(spec, "ID", id);
            checkAddress(spec, address);
            if (witness && listener) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "a member is a witness or a listener, not both (a witness's vote is its only part)");
            }
            String role = witness ? "witness" : listener ? "listener" : "voter";
            return member.parent.simple("member add " + id + " " + address + " " + role, TIMEOUT_MS);
        }
    }

    @Command(name = "remove", description = "Remove member ID. If it holds VIPs and is reachable, they move to other "
            + "members by handover first. Refused if the members left reachable would not be a majority.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        MemberCommand member;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Vipctl.checkName(spec, "ID", id);
            return member.parent.simple("member remove " + id, TIMEOUT_MS);
        }
    }

    @Command(name = "replace", description = "Replace member OLD (e.g. a dead host) by NEW at ADDRESS, in the same "
            + "role, in one change. Start vipd on NEW first.")
    static final class Replace implements Callable<Integer> {
        @ParentCommand
        MemberCommand member;

        @Parameters(index = "0", paramLabel = "OLD")
        String old;

        @Parameters(index = "1", paramLabel = "NEW")
        String id;

        @Parameters(index = "2", paramLabel = "ADDRESS")
        String address;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Vipctl.checkName(spec, "OLD", old);
            Vipctl.checkName(spec, "NEW", id);
            checkAddress(spec, address);
            return member.parent.simple("member replace " + old + " " + id + " " + address, TIMEOUT_MS);
        }
    }
}
