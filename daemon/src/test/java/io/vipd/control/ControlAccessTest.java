package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may do what on the control socket: root and the daemon's user everything, the group's members status. */
class ControlAccessTest {
    static final int VIPD_UID = 998;
    static final int VIPD_GID = 998;
    /** vipd running as its own user, reader group vipd (gid 998). */
    static final ControlAccess POLICY = ControlAccess.withReaders(VIPD_UID, "vipd", "vipd", OptionalInt.of(VIPD_GID));
    static final Set<String> CHANGES = Set.of("lead", "move", "drain", "undrain", "reload");

    static final Caller ROOT = new Caller(1, 0, "root", Set.of(0));
    static final Caller DAEMON_USER = new Caller(2, VIPD_UID, "vipd", Set.of(VIPD_GID));
    static final Caller MEMBER = new Caller(4242, 1000, "alice", Set.of(1000, 4, VIPD_GID));
    static final Caller STRANGER = new Caller(4343, 1001, "bob", Set.of(1001, 4));

    @Test
    void rootMayDoEverything() {
        assertEquals(ControlAccess.Grant.ALL, POLICY.grant(ROOT));
        for (String request : Set.of("status", "lead", "move", "drain", "undrain", "reload", "bogus")) {
            assertEquals(Optional.empty(), POLICY.refusal(ROOT, request), request);
        }
        // root whatever its groups
        assertEquals(ControlAccess.Grant.ALL, POLICY.grant(new Caller(1, 0, "root", Set.of())));
    }

    @Test
    void theDaemonsOwnUserMayDoEverything() {
        assertEquals(ControlAccess.Grant.ALL, POLICY.grant(DAEMON_USER));
        // by uid, not by group: vipd's user with other groups is still vipd's user
        assertEquals(ControlAccess.Grant.ALL, POLICY.grant(new Caller(2, VIPD_UID, "vipd", Set.of(65534))));
        for (String request : CHANGES) {
            assertEquals(Optional.empty(), POLICY.refusal(DAEMON_USER, request), request);
        }
    }

    @Test
    void aGroupMemberMayReadStatusOnly() {
        assertEquals(ControlAccess.Grant.READ, POLICY.grant(MEMBER));
        assertEquals(Optional.empty(), POLICY.refusal(MEMBER, "status"));
        for (String request : CHANGES) {
            assertEquals(Optional.of("permission denied: alice (uid 1000) may only read (status, history, watch, doctor)"),
                    POLICY.refusal(MEMBER, request), request);
        }
        // the group as the primary (effective) group counts as well as a supplementary one
        assertEquals(ControlAccess.Grant.READ, POLICY.grant(new Caller(5, 1002, "carol", Set.of(VIPD_GID))));
    }

    @Test
    void aStrangerIsRefusedEverything() {
        assertEquals(ControlAccess.Grant.NONE, POLICY.grant(STRANGER));
        assertEquals(Optional.of("permission denied: bob (uid 1001) may not run 'move' (allowed: root, vipd; "
                + "members of group 'vipd' may read status, history, watch and doctor)"), POLICY.refusal(STRANGER, "move"));
        assertEquals(Optional.of("permission denied: bob (uid 1001) may not run 'status' (allowed: root, vipd; "
                + "members of group 'vipd' may read status, history, watch and doctor)"), POLICY.refusal(STRANGER, "status"));
        Caller unnamed = new Caller(6, 2000, "uid 2000", Set.of(2000));
        assertEquals(Optional.of("permission denied: uid 2000 may not run 'reload' (allowed: root, vipd; "
                + "members of group 'vipd' may read status, history, watch and doctor)"), POLICY.refusal(unnamed, "reload"));
    }

    @Test
    void aMissingGroupLeavesOnlyRootAndTheDaemonsUser() {
        ControlAccess missing = ControlAccess.withReaders(VIPD_UID, "vipd", "vipd", OptionalInt.empty());
        assertEquals(ControlAccess.Grant.ALL, missing.grant(ROOT));
        assertEquals(ControlAccess.Grant.ALL, missing.grant(DAEMON_USER));
        assertEquals(ControlAccess.Grant.NONE, missing.grant(MEMBER), "no gid to be a member of");
        assertEquals(Optional.of("permission denied: alice (uid 1000) may not run 'status' (allowed: root, vipd; "
                + "members of group 'vipd' may read status, history, watch and doctor, but there is no such group)"),
                missing.refusal(MEMBER, "status"));
        assertEquals("root and vipd may use it: group 'vipd' (control.group) does not exist, so no one else may "
                + "read status, history, watch and doctor", missing.summary());
    }

    @Test
    void aDaemonRunningAsRootNamesRootOnce() {
        ControlAccess asRoot = ControlAccess.withReaders(0, "root", "adm", OptionalInt.of(4));
        assertEquals(ControlAccess.Grant.READ, asRoot.grant(STRANGER), "bob is in adm");
        assertEquals(Optional.of("permission denied: alice (uid 1000) may not run 'drain' (allowed: root; members "
                + "of group 'adm' may read status, history, watch and doctor)"), asRoot.refusal(new Caller(1, 1000, "alice", Set.of()), "drain"));
        assertEquals("root may do everything, members of group 'adm' (gid 4) may read status, history, watch and doctor", asRoot.summary());
    }

    @Test
    void ownerOnlyHasNoReaders() {
        ControlAccess owner = ControlAccess.ownerOnly(VIPD_UID, "vipd");
        assertEquals(ControlAccess.Grant.NONE, owner.grant(MEMBER));
        assertEquals(Optional.of("permission denied: alice (uid 1000) may not run 'status' (allowed: root, vipd)"),
                owner.refusal(MEMBER, "status"));
        assertEquals("root and vipd may use it", owner.summary());
        assertEquals(Optional.empty(), owner.group());
    }

    @Test
    void forThisProcessLooksUpItsUidAndTheGroup(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("etc/passwd"), UnixAccountsTest.PASSWD);
        Files.writeString(root.resolve("etc/group"), UnixAccountsTest.GROUP);
        Files.writeString(root.resolve("proc/self/status"), UnixAccountsTest.STATUS
                .replace("Uid:\t1000\t1000", "Uid:\t998\t998"));
        UnixAccounts accounts = new UnixAccounts(root);
        ControlAccess access = ControlAccess.forThisProcess("vipd", accounts);
        assertEquals("root and vipd may do everything, members of group 'vipd' (gid 998) may read status, history, watch and doctor",
                access.summary());
        assertEquals(ControlAccess.Grant.ALL, access.grant(DAEMON_USER));
        assertEquals(ControlAccess.Grant.READ, access.grant(MEMBER));
        assertEquals(OptionalInt.empty(), ControlAccess.forThisProcess("wheel", accounts).groupGid());
        assertEquals(Optional.of("wheel"), ControlAccess.forThisProcess("wheel", accounts).group());
    }

    @Test
    void callersDescribeThemselves() {
        assertEquals("alice (uid 1000, pid 4242)", MEMBER.describe());
        assertEquals("alice (uid 1000)", MEMBER.who());
        Caller unnamed = new Caller(77, 2000, "uid 2000", Set.of());
        assertEquals("uid 2000 (pid 77)", unnamed.describe());
        assertEquals("uid 2000", unnamed.who());
        assertEquals("big (uid 4294967294, pid 1)", new Caller(1, -2, "big", Set.of()).describe());
        assertEquals(Set.of(4, 998, 1000), MEMBER.gids());
    }
}
