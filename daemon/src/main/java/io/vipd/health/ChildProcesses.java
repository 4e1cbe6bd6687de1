package io.vipd.health;

import java.util.List;
import java.util.Map;

/** What every program vipd starts (health checks, notify hooks) has in common. */
public final class ChildProcesses {
    private ChildProcesses() {}

    /** A child must not inherit systemd's notify and watchdog channels: they are the daemon's own. */
    public static void scrub(Map<String, String> environment) {
        for (String k : List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID")) {
            environment.remove(k);
        }
    }

    /** Kills a process and every descendant it has now (a check or hook that forked does not escape). */
    public static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}
