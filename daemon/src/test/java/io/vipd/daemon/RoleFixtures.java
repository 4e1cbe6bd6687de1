package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.VipTable;
import io.vipd.config.ConfigLoader;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.Caller;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/** Configurations, tables and callers shared by the role tests (node n1 is "this node" throughout). */
final class RoleFixtures {
    private RoleFixtures() {}

    static final long MS = ManualClock.MS;
    /** Runs completions at once, on the completing thread: the agent thread of these tests. */
    static final Executor DIRECT = Runnable::run;
    static final Caller ALICE = new Caller(4242, 1000, "alice", Set.of(1000));

    /**
     * n1 (this node) and {@code nodes - 1} more; VIP web (198.18.0.100/24, preferred n2 then n1) and db
     * (198.18.0.101/24, no preference); default timing (lease 700 ms, failover timeout 850 ms). {@code extra} lines
     * ("key = value") add keys or replace those above.
     */
    static VipdConfig config(int nodes, String... extra) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        keys.put("node.id", "n1");
        keys.put("data.dir", "/tmp/vipd-role-test");
        for (int i = 1; i <= nodes; i++) {
            keys.put("peer.n" + i, "198.18.0." + i + ":7400");
        }
        keys.put("vip.web.address", "198.18.0.100/24");
        keys.put("vip.web.interface", "eth0");
        keys.put("vip.web.prefer", "n2, n1");
        keys.put("vip.db.address", "198.18.0.101/24");
        keys.put("vip.db.interface", "eth0");
        for (String line : extra) { // "key = value": added, or replacing the key above
            int eq = line.indexOf('=');
            keys.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        StringBuilder text = new StringBuilder();
        keys.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        try {
            return new ConfigLoader().parse(Path.of("vipd.conf"), text.toString());
        } catch (Exception e) {
            throw new AssertionError("test configuration refused: " + e.getMessage(), e);
        }
    }

    /** An IPv4 address from its text. */
    static java.net.Inet4Address ip(String s) {
        try {
            return (java.net.Inet4Address) java.net.InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static VipdConfig config(String... extra) {
        return config(3, extra);
    }

    /** Web checked by a TCP check named "port". */
    static final String[] WEB_CHECKED = {"check.port.type = tcp", "check.port.target = 127.0.0.1:80",
            "vip.web.checks = port"};

    static VipSpec spec(VipdConfig config, String vip) {
        return config.vip(vip).orElseThrow();
    }

    /** The configuration's VIP definitions, as a node reports them. */
    static Map<String, String> definitions(VipdConfig config) {
        Map<String, String> defs = new TreeMap<>();
        config.vips().forEach(v -> defs.put(v.name(), v.cidr()));
        return defs;
    }

    /** A table in which each of {@code nodes} reported the configuration's definitions. */
    static VipTable defined(VipdConfig config, String... nodes) {
        VipTable t = VipTable.EMPTY;
        for (String n : nodes) {
            t = apply(t, new Command.Definitions(n, definitions(config)));
        }
        return t;
    }

    /** Applies each command in turn; a command that would not change the table fails the test. */
    static VipTable apply(VipTable table, Command... commands) {
        for (Command c : commands) {
            VipTable.Applied a = table.apply(c);
            if (!a.changed()) {
                throw new AssertionError("setup command changed nothing: " + a.description());
            }
            table = a.table();
        }
        return table;
    }

    /** A failover assignment of {@code vip} at {@code epoch} to {@code owner} (which had no owner before). */
    static Command.Assign assign(String vip, long epoch, String owner) {
        return new Command.Assign(vip, epoch, 0, owner, ManualClock.START_WALL_MILLIS, "test setup");
    }

    /** A handover of {@code vip} at {@code epoch} to {@code owner}: the current owner becomes releasing. */
    static Command.Assign handover(String vip, long epoch, String owner) {
        return new Command.Assign(vip, epoch, 0, owner, ManualClock.START_WALL_MILLIS, "test handover", true);
    }
}
