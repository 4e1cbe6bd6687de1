package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What doctor reads under /proc, on a directory shaped like it. */
class ProcFsTest {
    static byte[] cmdline(String... argv) {
        return (String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recognisesOtherVipManagersByTheirCommandLine() {
        assertEquals("keepalived", ProcFs.managerName(cmdline("/usr/sbin/keepalived", "--dont-fork")));
        assertEquals("ucarp", ProcFs.managerName(cmdline("ucarp", "-i", "eth0")));
        assertEquals("vipd", ProcFs.managerName(cmdline("/usr/bin/java", "-Xmx128m", "-cp",
                "/usr/share/vipd/vipd.jar", "io.vipd.daemon.VipdMain", "-c", "/etc/vipd/vipd.conf")));
        assertEquals("vipd", ProcFs.managerName(cmdline("java", "-jar", "/tmp/x/vipd.jar", "-c", "a.conf")));
        assertNull(ProcFs.managerName(cmdline("java", "-cp", "/usr/share/vipd/vipd.jar", "io.vipd.cli.Vipctl")));
        assertNull(ProcFs.managerName(cmdline("bash")));
        assertNull(ProcFs.managerName(new byte[0]), "a kernel thread has no command line");
    }

    @Test
    void countsOnlyProcessesInThisNetworkNamespace(@TempDir Path proc) throws Exception {
        process(proc, 1, "net:[1]", cmdline("/usr/bin/java", "-jar", "vipd.jar"));          // this daemon
        process(proc, 2, "net:[1]", cmdline("/usr/sbin/keepalived"));
        process(proc, 3, "net:[2]", cmdline("/usr/bin/java", "-jar", "vipd.jar"));          // another host's
        process(proc, 4, "net:[1]", cmdline("/usr/bin/java", "-jar", "/opt/old/vipd.jar")); // a second install
        process(proc, 5, "net:[1]", cmdline("sshd"));
        Files.createDirectories(proc.resolve("6")); // gone while listed: unreadable
        ProcFs.Managers m = new ProcFs(proc).otherVipManagers(1);
        assertEquals(List.of("keepalived (pid 2)", "vipd (pid 4)"), m.found());
        assertEquals(1, m.unreadable());
    }

    @Test
    void arpIgnoreIsTheLargerOfAllAndTheInterface(@TempDir Path proc) throws Exception {
        Path conf = proc.resolve("sys/net/ipv4/conf");
        Files.createDirectories(conf.resolve("all"));
        Files.createDirectories(conf.resolve("eth0"));
        Files.writeString(conf.resolve("all/arp_ignore"), "0\n");
        Files.writeString(conf.resolve("eth0/arp_ignore"), "1\n");
        assertEquals(1, new ProcFs(proc).arpIgnore("eth0"));
        assertEquals(-1, new ProcFs(proc).arpIgnore("eth9"), "unreadable");
    }

    private static void process(Path proc, int pid, String net, byte[] cmdline) throws Exception {
        Path p = proc.resolve(Integer.toString(pid));
        Files.createDirectories(p.resolve("ns"));
        Files.createSymbolicLink(p.resolve("ns/net"), Path.of(net));
        Files.write(p.resolve("cmdline"), cmdline);
    }
}
