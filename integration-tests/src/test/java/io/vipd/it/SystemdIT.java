package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.testbed.Shell;
import io.vipd.testbed.SystemdContainer;
import io.vipd.testbed.Testbed;
import io.vipd.testbed.ThrowawayRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The installed .deb's unit under a real systemd as PID 1: host 1 of a 3-host testbed is a container (systemd-nspawn
 * over a throwaway copy of this machine's root, in host 1's network namespace) in which the package is installed
 * with dpkg and vipd runs as {@code systemctl start vipd}; hosts 2 and 3 run vipd directly. Checked: start waits for
 * readiness (Type=notify), the hardening is in force in the running process, reload applies a good file and refuses
 * a broken one, the watchdog restarts a hung daemon, stop is clean, and a bad configuration (exit 78) is not
 * restarted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdIT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips(List.of("web")).manualStart();
    protected Testbed bed; // set by the extension
    private ThrowawayRoot root;
    private SystemdContainer container;
    private String goodConfig;

    @BeforeAll
    void boot() throws Exception {
        bed.startDaemon(2);
        bed.startDaemon(3);
        root = ThrowawayRoot.create();
        root.copyIn(Path.of(System.getProperty("vipd.deb")), "/tmp/vipd.deb");
        root.ok("dpkg -i /tmp/vipd.deb 2>&1");
        // The unit has PrivateTmp and reads /etc/vipd: the TLS material goes there; the key is the vipd user's own
        // (vipd refuses a key others may read).
        root.ok("mkdir -p /etc/vipd/tls");
        root.copyIn(bed.tls().caPath(), "/etc/vipd/tls/ca.crt");
        root.copyIn(bed.tls().certPath("n1"), "/etc/vipd/tls/n1.crt");
        root.copyIn(bed.tls().keyPath("n1"), "/etc/vipd/tls/n1.key");
        root.ok("chgrp -R vipd /etc/vipd/tls && chown vipd /etc/vipd/tls/n1.key && chmod 0600 /etc/vipd/tls/n1.key");
        StringBuilder conf = new StringBuilder();
        for (String line : bed.config(1).split("\n")) {
            if (!line.startsWith("data.dir") && !line.startsWith("control.socket") && !line.startsWith("tls.")) {
                conf.append(line).append('\n');
            }
        }
        conf.append("tls.ca = /etc/vipd/tls/ca.crt\ntls.cert = /etc/vipd/tls/n1.crt\ntls.key = /etc/vipd/tls/n1.key\n");
        goodConfig = conf.toString();
        Files.writeString(root.outside("/etc/vipd/vipd.conf"), goodConfig);
        container = SystemdContainer.boot(root, bed.hostNs(1), bed.workDir().resolve("nspawn.log"));
    }

    @AfterAll
    void halt() {
        if (container != null) {
            container.close();
        }
        if (root != null) {
            root.close();
        }
    }

    private Shell.Result in(String script) throws Exception {
        return container.run(script, 120_000);
    }

    /** The daemon's pid in the container, which must be running (a "kill -STOP 0" would stop the test itself). */
    private String mainPid() throws Exception {
        String pid = container.property("vipd", "MainPID");
        assertTrue(pid.matches("[1-9][0-9]*"), "vipd runs under systemd: MainPID " + pid + journal());
        return pid;
    }

    @Test
    @Order(1)
    void startWaitsUntilTheNodeJoinedThenRunsWithOnlyItsTwoCapabilities() throws Exception {
        long t0 = System.nanoTime();
        Shell.Result start = in("systemctl start vipd");
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertEquals(0, start.exit(), "systemctl start vipd: " + start.output() + journal());
        System.out.printf("[benchmark] systemctl start vipd returned after %d ms (READY=1: the node joined)%n", ms);
        assertEquals("active", container.property("vipd", "ActiveState"));
        // Type=notify: start returned only after READY=1, which vipd sends once a majority confirmed a renewal,
        // so the other members see it at once.
        assertTrue(bed.reachableSeenBy(2, "n1"), "n2 sees n1 when systemctl start returns");
        assertTrue(container.property("vipd", "StatusText").length() > 0, "vipd reports its state to systemd");
        String pid = mainPid();
        String status = in("cat /proc/" + pid + "/status").output();
        String vipdUid = in("id -u vipd").output().trim();
        assertTrue(status.matches("(?s).*\nUid:\\s+" + vipdUid + "\\s+" + vipdUid + "\\s.*"), "runs as user vipd ("
                + vipdUid + "): " + status);
        assertTrue(status.contains("CapEff:\t0000000000003000"), "CAP_NET_ADMIN and CAP_NET_RAW only: " + status);
        assertTrue(status.contains("CapBnd:\t0000000000003000"), "bounding set: " + status);
        assertTrue(status.contains("NoNewPrivs:\t1"), status);
        assertTrue(status.contains("Seccomp:\t2"), "a system call filter (SystemCallArchitectures...): " + status);
        Shell.Result write = in("nsenter -t " + pid + " -m -- touch /usr/vipd-write-test");
        assertNotEquals(0, write.exit(), "ProtectSystem=strict: /usr is read-only for the daemon");
        assertTrue(write.output().contains("Read-only file system"), write.output());
        assertEquals(0, in("touch /root/vipd-marker").exit());
        Shell.Result home = in("nsenter -t " + pid + " -m -- test -e /root/vipd-marker");
        assertNotEquals(0, home.exit(), "ProtectHome: the daemon does not see what is in /root");
        Shell.Result vipctl = in("vipctl status");
        assertEquals(0, vipctl.exit(), vipctl.output());
        assertTrue(vipctl.output().contains("n1 (this)"), vipctl.output());
        Testbed.waitUntil("the VIP answered", 30_000, () -> bed.answeringHost("web") != 0);
    }

    @Test
    @Order(2)
    void reloadAppliesAGoodFileAndRefusesABrokenOneWithoutDisturbingTheDaemon() throws Exception {
        String pid = mainPid();
        Path file = root.outside("/etc/vipd/vipd.conf");
        Files.writeString(file, goodConfig + "# edited\n");
        Shell.Result good = in("systemctl reload vipd");
        assertEquals(0, good.exit(), "systemctl reload of a good file: " + good.output() + journal());
        Files.writeString(file, goodConfig + "vip.web.interface =\n");
        Shell.Result bad = in("systemctl reload vipd");
        assertNotEquals(0, bad.exit(), "systemctl reload of a broken file fails: " + bad.output());
        String journal = journal();
        assertTrue(journal.matches("(?s).*/etc/vipd/vipd\\.conf:\\d+: vip\\.web\\.interface.*reload rejected.*"),
                "the error names the file, line and key: " + journal);
        assertEquals("active", container.property("vipd", "ActiveState"), "the daemon keeps running");
        assertEquals(pid, container.property("vipd", "MainPID"), "and is the same process");
        Files.writeString(file, goodConfig);
    }

    @Test
    @Order(3)
    void theWatchdogRestartsAHungDaemon() throws Exception {
        String pid = mainPid();
        long t0 = System.nanoTime();
        assertEquals(0, in("kill -STOP " + pid).exit());
        Testbed.waitUntil("systemd's watchdog restarted the hung daemon", 60_000, () -> {
            try {
                String now = container.property("vipd", "MainPID");
                return !now.equals(pid) && !now.equals("0") && !now.isEmpty()
                        && Integer.parseInt(container.property("vipd", "NRestarts")) >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        System.out.printf("[benchmark] SIGSTOPped daemon restarted by the watchdog after %d ms (WatchdogSec=10)%n",
                (System.nanoTime() - t0) / 1_000_000L);
        assertTrue(journal().contains("Watchdog timeout"), "systemd says why: " + journal());
        Testbed.waitUntil("the restarted daemon is active", 90_000, () -> {
            try {
                return container.property("vipd", "ActiveState").equals("active");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    @Order(4)
    void stopIsClean() throws Exception {
        Shell.Result stop = in("systemctl stop vipd");
        assertEquals(0, stop.exit(), stop.output());
        assertEquals("inactive", container.property("vipd", "ActiveState"));
        assertEquals("success", container.property("vipd", "Result"), "SIGTERM ends vipd with a clean status");
    }

    @Test
    @Order(5)
    void aBadConfigurationFailsOnceAndIsNotRestarted() throws Exception {
        Files.writeString(root.outside("/etc/vipd/vipd.conf"), goodConfig + "vip.web.interface =\n");
        Shell.Result start = in("systemctl start vipd");
        assertNotEquals(0, start.exit(), "start with a broken file fails: " + start.output());
        Thread.sleep(3000); // RestartSec=1: a restart would have happened by now
        assertEquals("78", container.property("vipd", "ExecMainStatus"), "EX_CONFIG" + journal());
        assertEquals("failed", container.property("vipd", "ActiveState"));
        assertEquals("0", container.property("vipd", "NRestarts"), "RestartPreventExitStatus=78: no restart");
        Files.writeString(root.outside("/etc/vipd/vipd.conf"), goodConfig);
    }

    private String journal() throws Exception {
        return "\njournal:\n" + in("journalctl -u vipd --no-pager -n 40").output();
    }
}
