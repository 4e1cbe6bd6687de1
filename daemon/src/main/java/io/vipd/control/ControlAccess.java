package io.vipd.control;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Who may do what through the control socket, by the caller's credentials: root and the user the daemon runs as may
 * do everything; members of the reader group (control.group) may read ({@code status}); everyone else is refused.
 * Pure logic: the daemon's uid and the group's id are resolved by the caller of the factory methods.
 */
public final class ControlAccess {
    /** What a caller may do. */
    public enum Grant { ALL, READ, NONE }

    /**
     * The requests that only read (doctor sends a few ARP probes, but changes nothing). Anything else, unknown
     * requests included, needs {@link Grant#ALL}.
     */
    static final java.util.Set<String> READ_REQUESTS = java.util.Set.of("status", "history", "watch", "doctor");
    /** How messages name them. */
    private static final String READ_REQUEST = "status, history, watch and doctor";

    private final int daemonUid;
    private final String daemonUser;
    /** null: no reader group configured. */
    private final String group;
    /** Empty when there is no reader group, or it does not exist. */
    private final OptionalInt groupGid;

    private ControlAccess(int daemonUid, String daemonUser, String group, OptionalInt groupGid) {
        this.daemonUid = daemonUid;
        this.daemonUser = daemonUser;
        this.group = group;
        this.groupGid = groupGid;
    }

    /** Only root and the daemon's user, with no reader group. */
    public static ControlAccess ownerOnly(int daemonUid, String daemonUser) {
        return new ControlAccess(daemonUid, daemonUser, null, OptionalInt.empty());
    }

    /** Root and the daemon's user; members of {@code group} (id {@code gid}, empty if it does not exist) read. */
    public static ControlAccess withReaders(int daemonUid, String daemonUser, String group, OptionalInt gid) {
        return new ControlAccess(daemonUid, daemonUser, group, gid);
    }

    /** For this process: its effective uid, and {@code group} (null: none) looked up in {@code accounts}. */
    public static ControlAccess forThisProcess(String group, UnixAccounts accounts) {
        int uid = accounts.effectiveUid();
        String user = accounts.userName(uid);
        return group == null ? ownerOnly(uid, user) : withReaders(uid, user, group, accounts.groupId(group));
    }

    public Grant grant(Caller caller) {
        if (caller.uid() == 0 || caller.uid() == daemonUid) {
            return Grant.ALL;
        }
        if (groupGid.isPresent() && caller.gids().contains(groupGid.getAsInt())) {
            return Grant.READ;
        }
        return Grant.NONE;
    }

    /** Why {@code caller} may not run {@code request} (its first word), or empty if it may. */
    public Optional<String> refusal(Caller caller, String request) {
        Grant grant = grant(caller);
        if (grant == Grant.ALL || grant == Grant.READ && READ_REQUESTS.contains(request)) {
            return Optional.empty();
        }
        if (grant == Grant.READ) {
            return Optional.of("permission denied: " + caller.who() + " may only read (status, history, watch, doctor)");
        }
        return Optional.of("permission denied: " + caller.who() + " may not run '" + request + "' (" + allowed()
                + ")");
    }

    /** {@code allowed: root, vipd; members of group 'vipd' may read status, history, watch and doctor}. */
    String allowed() {
        String users = daemonUid == 0 ? "root" : "root, " + daemonUser;
        if (group == null) {
            return "allowed: " + users;
        }
        return "allowed: " + users + "; members of group '" + group + "' may read " + READ_REQUEST
                + (groupGid.isPresent() ? "" : ", but there is no such group");
    }

    /** The reader group's name, if one is configured. */
    public Optional<String> group() {
        return Optional.ofNullable(group);
    }

    /** The reader group's id, if it is configured and exists. */
    public OptionalInt groupGid() {
        return groupGid;
    }

    /** For the log at start: who may do what. */
    public String summary() {
        String users = daemonUid == 0 ? "root" : "root and " + daemonUser;
        if (group == null) {
            return users + " may use it";
        }
        return groupGid.isPresent()
                ? users + " may do everything, members of group '" + group + "' (gid "
                        + Integer.toUnsignedString(groupGid.getAsInt()) + ") may read " + READ_REQUEST
                : users + " may use it: group '" + group + "' (control.group) does not exist, so no one else may "
                        + "read " + READ_REQUEST;
    }
}
