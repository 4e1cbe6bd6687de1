package io.vipd.control;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who sent a control request: the connecting process, as the kernel reported it when it connected (SO_PEERCRED).
 *
 * @param pid  the process id (0 if the kernel could not report it, e.g. from another pid namespace)
 * @param uid  its effective user id
 * @param user its user name, or "uid N" when the user has no name on this host
 * @param gids its effective group id and supplementary groups
 */
public record Caller(int pid, int uid, String user, Set<Integer> gids) {
    public Caller {
        gids = Collections.unmodifiableSet(new TreeSet<>(gids));
    }

    /** A request that came as a signal (SIGHUP's reload): root, no process to name. */
    public static Caller signal(String name) {
        return new Caller(0, 0, name, Set.of());
    }

    /** For logs: {@code alice (uid 1000, pid 4242)}. */
    public String describe() {
        return named() ? user + " (uid " + Integer.toUnsignedString(uid) + ", pid " + pid + ")"
                : user + " (pid " + pid + ")";
    }

    /** For refusals, which go to the caller itself: {@code alice (uid 1000)}. */
    public String who() {
        return named() ? user + " (uid " + Integer.toUnsignedString(uid) + ")" : user;
    }

    private boolean named() {
        return !user.equals(UnixAccounts.unnamed(uid));
    }
}
