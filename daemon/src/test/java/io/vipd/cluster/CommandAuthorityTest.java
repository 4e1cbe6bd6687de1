package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandAuthorityTest {
    @Test
    void aNodeSpeaksOnlyForItself() {
        assertNull(CommandAuthority.refusal(new Command.Renew("n2"), "n2", "n1"));
        assertEquals("n3 may renew only for itself, not for n2",
                CommandAuthority.refusal(new Command.Renew("n2"), "n3", "n1"));
        assertEquals("n3 may leave only for itself, not for n1",
                CommandAuthority.refusal(new Command.Leave("n1", 0), "n3", "n1"));
        assertNull(CommandAuthority.refusal(new Command.Leave("n3", 0), "n3", "n1"));
        assertEquals("n3 may report health only for itself, not for n2",
                CommandAuthority.refusal(new Command.Health("n2", Map.of()), "n3", "n1"));
        assertEquals("n3 may report VIP definitions only for itself, not for n2",
                CommandAuthority.refusal(new Command.Definitions("n2", Map.of()), "n3", "n1"));
        assertNull(CommandAuthority.refusal(new Command.Definitions("n3", Map.of()), "n3", "n1"));
    }

    @Test
    void onlyTheLeadersOwnPlacementAssigns() {
        Command.Assign a = new Command.Assign("web", 3, 0, "n2", 0, "x");
        assertNull(CommandAuthority.refusal(a, "n1", "n1"));
        assertEquals("only the leader's own placement may assign VIPs; n3 is not the leader (n1 is)",
                CommandAuthority.refusal(a, "n3", "n1"));
    }

    @Test
    void aReleaseComesFromThePreviousOwnerOrTheLeader() {
        Command.Released r = new Command.Released("web", 3, "n2", "let go");
        assertNull(CommandAuthority.refusal(r, "n2", "n1"));
        assertNull(CommandAuthority.refusal(r, "n1", "n1"));
        assertEquals("n3 may not confirm a release for n2", CommandAuthority.refusal(r, "n3", "n1"));
    }

    @Test
    void operatorCommandsComeFromTheNodeTheyNameAsIssuer() {
        assertNull(CommandAuthority.refusal(new Command.Move("web", 1, "n2", 0, "n3", "root"), "n3", "n1"));
        assertEquals("n3 may relay an operator's move only for itself, not for n2",
                CommandAuthority.refusal(new Command.Move("web", 1, "n2", 0, "n2", "root"), "n3", "n1"));
        assertNull(CommandAuthority.refusal(new Command.Drain("n1", true, 0, "n2", "root"), "n2", "n1"));
        assertEquals("an operator's drain must name the node it was issued on",
                CommandAuthority.refusal(new Command.Drain("n1", true, 0), "n3", "n1"));
    }
}
