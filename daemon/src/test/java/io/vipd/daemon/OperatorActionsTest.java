package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.cluster.Command;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorActionsTest {
    private final OperatorActions actions = new OperatorActions(Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"),
            ZoneOffset.UTC));

    @Test
    void namesWhatWhoAndWhere() {
        actions.applied(new Command.Move("web", 3, "n2", 0, "n1", "alice (uid 1000)"), true, true);
        actions.applied(new Command.Drain("n3", true, 0, "n2", "root (uid 0)"), false, false);
        assertEquals(List.of("2026-12-06T10:00:00Z move web to n2 by alice (uid 1000) on n1",
                "2026-12-06T10:00:00Z drain n3 by root (uid 0) on n2 (no change) (replayed)"), actions.recent());
    }

    @Test
    void keepsOnlyTheLatest() {
        for (int i = 0; i < OperatorActions.KEPT + 5; i++) {
            actions.applied(new Command.Drain("n" + i, false, 0, "n1", "root"), true, true);
        }
        assertEquals(OperatorActions.KEPT, actions.recent().size());
        assertEquals("2026-12-06T10:00:00Z undrain n14 by root on n1", actions.recent().get(OperatorActions.KEPT - 1));
    }
}
