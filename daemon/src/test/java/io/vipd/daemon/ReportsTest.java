package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.assign;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.definitions;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.cluster.Command;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipdConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** This node's (n1's) definitions and health results kept equal to the group's record; the FAULT hook's trigger. */
class ReportsTest {
    final FakeConsensus raft = new FakeConsensus();
    VipdConfig config = config(RoleFixtures.WEB_CHECKED);
    final Reports reports = new Reports(() -> config, RoleFixtures.DIRECT);
    final List<String> faults = new ArrayList<>();

    {
        reports.onFault((spec, epoch) -> faults.add(spec.name() + "#" + epoch));
    }

    @Test
    void nothingWhileNoLeaderIsKnown() {
        reports.healthChanged(Map.of("web", ""), null);
        reports.report(raft, VipTable.EMPTY, false);
        assertEquals(List.of(), raft.submitted());
    }

    @Test
    void definitionsAreReportedUntilTheTableShowsThemOneAtATime() {
        reports.report(raft, VipTable.EMPTY, true);
        reports.report(raft, VipTable.EMPTY, true);
        Command.Definitions expected = new Command.Definitions("n1",
                Map.of("db", "198.18.0.101/24", "web", "198.18.0.100/24"));
        assertEquals(List.of(expected), raft.submitted(), "one in flight; no health before the checks first ran");
        raft.completeAll(FakeConsensus.Outcome.failed("leader changed"));
        reports.report(raft, VipTable.EMPTY, true);
        assertEquals(List.of(expected, expected), raft.submitted(), "the table still lacks them: again");
        raft.completeAll(FakeConsensus.committed());
        reports.report(raft, apply(VipTable.EMPTY, expected), true);
        assertEquals(2, raft.submitted().size(), "the table shows them");
    }

    @Test
    void aReloadedDefinitionIsReportedAgain() {
        VipTable reported = apply(VipTable.EMPTY, new Command.Definitions("n1", definitions(config)));
        config = config("vip.db.address = 198.18.0.102/24");
        reports.report(raft, reported, true);
        assertEquals(List.of(new Command.Definitions("n1", Map.of("db", "198.18.0.102/24", "web",
                "198.18.0.100/24"))), raft.submitted(Command.Definitions.class));
    }

    @Test
    void healthIsReportedUntilTheTableShowsItIndependentlyOfDefinitions() {
        VipTable defined = apply(VipTable.EMPTY, new Command.Definitions("n1", definitions(config)));
        reports.healthChanged(Map.of("web", "connection refused"), defined);
        reports.report(raft, defined, true);
        reports.report(raft, defined, true);
        Command.Health first = new Command.Health("n1", Map.of("web", "connection refused"));
        assertEquals(List.of(first), raft.submitted());
        raft.completeAll(FakeConsensus.committed());
        reports.healthChanged(Map.of("web", ""), defined);
        VipTable shown = apply(defined, first);
        reports.report(raft, shown, true);
        Command.Health second = new Command.Health("n1", Map.of("web", ""));
        assertEquals(List.of(first, second), raft.submitted(), "newer results than the table's");
        reports.report(raft, apply(shown, second), true);
        assertEquals(2, raft.submitted().size(), "in flight, and shown anyway");
    }

    @Test
    void definitionsInFlightDoNotHoldBackHealth() {
        reports.healthChanged(Map.of("web", ""), VipTable.EMPTY);
        reports.report(raft, VipTable.EMPTY, true);
        assertEquals(List.of(Command.Definitions.class, Command.Health.class),
                raft.submitted().stream().map(Object::getClass).toList());
    }

    @Test
    void theFaultListenerHearsOnlyOfChecksThatStartFailing() {
        VipTable table = apply(VipTable.EMPTY, assign("web", 0, "n1"), assign("web", 1, "n2"));
        reports.healthChanged(Map.of("web", ""), table);
        assertEquals(List.of(), faults, "passing");
        reports.healthChanged(Map.of("web", "connection refused"), table);
        assertEquals(List.of("web#2"), faults, "pass -> fail, with the VIP's epoch in the table");
        reports.healthChanged(Map.of("web", "timed out"), table);
        assertEquals(List.of("web#2"), faults, "still failing, if for another reason: no new fault");
        reports.healthChanged(Map.of("web", ""), table);
        reports.healthChanged(Map.of("web", "connection refused"), null);
        assertEquals(List.of("web#2", "web#0"), faults, "failing again; before the state machine runs: epoch 0");
    }

    @Test
    void checksFailingFromTheFirstResultsAreAFaultButUnknownVipsAreNot() {
        reports.healthChanged(Map.of("web", "connection refused", "old", "gone"), VipTable.EMPTY);
        assertEquals(List.of("web#0"), faults);
    }
}
