package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixAccountsTest {
    static final String PASSWD = String.join("\n",
            "root:x:0:0:root:/root:/bin/bash",
            "# a comment:x:1000:",
            "+nis:x:1000:1000::/:",
            "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
            "",
            "broken line",
            "vipd:x:998:998:vipd virtual-IP failover daemon:/var/lib/vipd:/usr/sbin/nologin",
            "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash",
            "alias:x:1000:1000::/home/alice:/bin/sh",
            "big:x:4294967294:100::/:/bin/sh",
            "");
    static final String GROUP = String.join("\n",
            "root:x:0:",
            "daemon:x:1:",
            "adm:x:4:syslog,alice",
            "bad:x:notanumber:",
            "bad:x:77:",
            "vipd:x:998:",
            "nogroup:x:65534:");
    /** The lines of proc(5) status that matter, among some that do not. */
    static final String STATUS = String.join("\n",
            "Name:\tvipctl",
            "Umask:\t0022",
            "State:\tS (sleeping)",
            "Tgid:\t4242",
            "Pid:\t4242",
            "Uid:\t1000\t1000\t1000\t1000",
            "Gid:\t1000\t1001\t1000\t1001",
            "FDSize:\t64",
            "Groups:\t4 24 998 ",
            "NStgid:\t4242",
            "");

    @Test
    void userNamesComeFromTheFirstMatchingPasswdLine() {
        assertEquals(Optional.of("root"), UnixAccounts.userName(PASSWD, 0));
        assertEquals(Optional.of("vipd"), UnixAccounts.userName(PASSWD, 998));
        assertEquals(Optional.of("alice"), UnixAccounts.userName(PASSWD, 1000), "not the NIS or comment line");
        assertEquals(Optional.of("big"), UnixAccounts.userName(PASSWD, (int) 4294967294L));
        assertEquals(Optional.empty(), UnixAccounts.userName(PASSWD, 1001));
        assertEquals(Optional.empty(), UnixAccounts.userName("", 0));
    }

    @Test
    void groupIdsComeFromGroupLines() {
        assertEquals(OptionalInt.of(998), UnixAccounts.groupId(GROUP, "vipd"));
        assertEquals(OptionalInt.of(4), UnixAccounts.groupId(GROUP, "adm"));
        assertEquals(OptionalInt.of(77), UnixAccounts.groupId(GROUP, "bad"), "a malformed line is skipped");
        assertEquals(OptionalInt.empty(), UnixAccounts.groupId(GROUP, "wheel"));
        assertEquals(OptionalInt.empty(), UnixAccounts.groupId(GROUP, "vip"), "whole names only");
    }

    @Test
    void processIdsAreTheEffectiveOnesWithTheSupplementaryGroups() {
        assertEquals(Optional.of(new UnixAccounts.ProcessIds(1000, Set.of(1001, 4, 24, 998))),
                UnixAccounts.processIds(STATUS));
        // a process without supplementary groups: an empty Groups line
        String none = STATUS.replace("Groups:\t4 24 998 ", "Groups:\t");
        assertEquals(Optional.of(new UnixAccounts.ProcessIds(1000, Set.of(1001))), UnixAccounts.processIds(none));
        // setuid: the effective uid is the second field
        String setuid = STATUS.replace("Uid:\t1000\t1000\t1000\t1000", "Uid:\t1000\t0\t0\t0");
        assertEquals(0, UnixAccounts.processIds(setuid).orElseThrow().uid());
    }

    @Test
    void incompleteOrMalformedStatusIsNoAnswer() {
        assertEquals(Optional.empty(), UnixAccounts.processIds(""));
        assertEquals(Optional.empty(), UnixAccounts.processIds(STATUS.replace("Groups:\t4 24 998 \n", "")));
        assertEquals(Optional.empty(),
                UnixAccounts.processIds(STATUS.replace("Uid:\t1000\t1000\t1000\t1000", "Uid:\t1000")));
        assertEquals(Optional.empty(), UnixAccounts.processIds(STATUS.replace("Gid:\t1000\t1001", "Gid:\t1000\tx")));
        assertEquals(Optional.empty(), UnixAccounts.processIds(STATUS.replace(" 998 ", " -1 ")));
        assertEquals(Optional.empty(), UnixAccounts.processIds(STATUS.replace("Uid:\t1000\t1000",
                "Uid:\t1000\t4294967296")), "beyond a 32-bit id");
    }

    @Test
    void readsTheHostFilesBelowItsRoot(@TempDir Path root) throws Exception {
        UnixAccounts accounts = new UnixAccounts(root);
        assertEquals("uid 1000", accounts.userName(1000), "no /etc/passwd");
        assertEquals(OptionalInt.empty(), accounts.groupId("vipd"), "no /etc/group");
        assertEquals(Optional.empty(), accounts.process("4242"), "no such process");

        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), PASSWD);
        Files.writeString(root.resolve("etc/group"), GROUP);
        Files.createDirectories(root.resolve("proc/4242"));
        Files.writeString(root.resolve("proc/4242/status"), STATUS);
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/self/status"), STATUS.replace("Uid:\t1000\t1000", "Uid:\t998\t998"));
        assertEquals("alice", accounts.userName(1000));
        assertEquals("uid 4242", accounts.userName(4242));
        assertEquals("big", accounts.userName((int) 4294967294L));
        assertEquals("uid 4294967293", accounts.userName((int) 4294967293L), "an id beyond 2^31, unsigned");
        assertEquals(OptionalInt.of(998), accounts.groupId("vipd"));
        assertEquals(Set.of(1001, 4, 24, 998), accounts.process("4242").orElseThrow().gids());
        assertEquals(998, accounts.effectiveUid());
    }

    @Test
    void thisProcessIsFoundOnThisHost() {
        UnixAccounts host = UnixAccounts.system();
        int uid = host.effectiveUid();
        assertEquals(new com.sun.security.auth.module.UnixSystem().getUid(), uid, "not setuid: real = effective");
        if (uid == 0) {
            assertEquals("root", host.userName(0));
        }
    }
}
