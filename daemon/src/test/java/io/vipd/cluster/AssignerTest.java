package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.VipSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignerTest {
    static final Set<String> MEMBERS = Set.of("n1", "n2", "n3");

    static VipSpec vip(String name, int last, String... prefer) throws Exception {
        return new VipSpec(name, (Inet4Address) InetAddress.getByName("198.18.0." + last), 24, "eth0",
                List.of(prefer));
    }

    static VipTable applyAll(VipTable t, List<Command.Assign> plan) {
        for (Command.Assign a : plan) {
            t = t.apply(a).table();
        }
        return t;
    }

    @Test
    void spreadsVipsEvenlyAcrossLiveNodes() throws Exception {
        List<VipSpec> vips = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            vips.add(vip("v" + i, 100 + i));
        }
        VipTable t = applyAll(VipTable.EMPTY, Assigner.plan(VipTable.EMPTY, vips, MEMBERS, MEMBERS, false, 0));
        Map<String, Integer> load = new HashMap<>();
        t.vips().values().forEach(v -> load.merge(v.owner(), 1, Integer::sum));
        assertEquals(Set.of("n1", "n2", "n3"), load.keySet());
        assertTrue(load.values().stream().allMatch(n -> n == 2 || n == 3), load.toString());
        // Nothing more to do once every VIP has a live owner.
        assertEquals(List.of(), Assigner.plan(t, vips, MEMBERS, MEMBERS, false, 0));
    }

    @Test
    void respectsPreferenceOrderAmongLiveNodes() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100, "n3", "n2"));
        assertEquals("n3", Assigner.plan(VipTable.EMPTY, vips, MEMBERS, MEMBERS, false, 0).get(0).owner());
        assertEquals("n2", Assigner.plan(VipTable.EMPTY, vips, Set.of("n1", "n2"), MEMBERS, true, 0).get(0).owner());
        List<Command.Assign> fallback = Assigner.plan(VipTable.EMPTY, vips, Set.of("n1"), MEMBERS, true, 0);
        assertEquals("n1", fallback.get(0).owner());
        assertTrue(fallback.get(0).reason().startsWith("fallback"));
    }

    @Test
    void reassignsOnlyWhenTheOwnerIsNotLive() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100), vip("db", 101));
        VipTable t = VipTable.EMPTY
                .apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table()
                .apply(new Command.Assign("db", 0, 0, "n2", 0, "x")).table();
        List<Command.Assign> plan = Assigner.plan(t, vips, Set.of("n2", "n3"), MEMBERS, true, 0);
        assertEquals(1, plan.size());
        Command.Assign a = plan.get(0);
        assertEquals("web", a.vip());
        assertEquals(1, a.expectedEpoch());
        assertEquals("n3", a.owner()); // n2 already carries one
        assertTrue(a.reason().contains("previous owner n1 stopped renewing"), a.reason());
    }

    @Test
    void returningNodeDoesNotTakeItsVipBack() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        t = applyAll(t, Assigner.plan(t, vips, Set.of("n2", "n3"), MEMBERS, true, 0));
        String newOwner = t.vip("web").owner();
        assertEquals(List.of(), Assigner.plan(t, vips, MEMBERS, MEMBERS, true, 0));
        assertEquals(newOwner, t.vip("web").owner());
    }

    @Test
    void neverAssignedVipsWaitForAllMembersUntilSettled() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100), vip("db", 101));
        assertEquals(List.of(), Assigner.plan(VipTable.EMPTY, vips, Set.of("n1"), MEMBERS, false, 0));
        assertEquals(2, Assigner.plan(VipTable.EMPTY, vips, Set.of("n1"), MEMBERS, true, 0).size());
        // A VIP released by a leaving node does not wait.
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n2", 0, "x")).table()
                .apply(new Command.Leave("n2", 0)).table();
        List<Command.Assign> plan = Assigner.plan(t, List.of(vips.get(0)), Set.of("n1"), MEMBERS, false, 0);
        assertEquals(1, plan.size());
        assertEquals("n1", plan.get(0).owner());
    }

    @Test
    void reachableNodesMayReceiveVipsButOnlyRenewalsKeepAnOwner() throws Exception {
        List<VipSpec> vips = List.of(vip("web", 100));
        VipTable t = VipTable.EMPTY.apply(new Command.Assign("web", 0, 0, "n1", 0, "x")).table();
        // n1 is reachable over Raft but its renewals do not commit: it is not live, so web moves;
        // n2 has not renewed since the leader changed but is reachable: it may receive web.
        List<Command.Assign> plan = Assigner.plan(t, vips, Set.of("n3"), Set.of("n1", "n2", "n3"), MEMBERS, true, 0);
        assertEquals(1, plan.size());
        assertTrue(!plan.get(0).owner().equals("n1"), "a node that does not renew loses its VIP");
        plan = Assigner.plan(t, vips, Set.of(), Set.of("n2"), MEMBERS, true, 0);
        assertEquals("n2", plan.get(0).owner());
    }

    @Test
    void noLiveNodeNoProposal() throws Exception {
        assertEquals(List.of(), Assigner.plan(VipTable.EMPTY, List.of(vip("web", 100)), Set.of(), MEMBERS, true, 0));
    }
}
