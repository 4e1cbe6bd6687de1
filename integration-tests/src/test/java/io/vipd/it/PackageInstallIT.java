package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipd.testbed.NotifyReceiver;
import io.vipd.testbed.Shell;
import io.vipd.testbed.Testbed;
import io.vipd.testbed.ThrowawayRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The .deb and the .rpm as an operator meets them: their metadata, then a real install, run, upgrade and removal
 * (maintainer scripts included) in a throwaway copy-on-write root with its own network namespace, so this machine
 * is not changed. The daemon is started the way the unit starts it: as the vipd user with only CAP_NET_ADMIN and
 * CAP_NET_RAW, and NOTIFY_SOCKET pointing at a stand-in for systemd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageInstallIT {
    private static final String VERSION = "0.1.0";
    /** A one-node cluster: enough to join (a majority of one), own a VIP and announce it inside the root. */
    private static final String ONE_NODE_CONFIG = String.join("\n",
            "# edited by the operator",
            "node.id = n1",
            "peer.n1 = 198.18.0.1:7400",
            "vip.web.address = 198.18.0.100/24",
            "vip.web.interface = eth0",
            "tls.ca = /etc/vipd/tls/ca.pem",
            "tls.cert = /etc/vipd/tls/n1.pem",
            "tls.key = /etc/vipd/tls/n1.key",
            "");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path deb;
    private Path rpm;
    /** Every file the packages must install, the runtime jars (from vipd.jar's Class-Path) included. */
    private List<String> commonFiles;

    @BeforeAll
    void locatePackages() throws IOException {
        Assumptions.assumeTrue(Testbed.isRoot(), "install tests need root (namespaces, mounts): skipped");
        deb = Path.of(System.getProperty("vipd.deb"));
        rpm = Path.of(System.getProperty("vipd.rpm"));
        assertTrue(Files.isRegularFile(deb), "the build should have made " + deb);
        assertTrue(Files.isRegularFile(rpm), "the build should have made " + rpm);
        commonFiles = new ArrayList<>(List.of("/usr/bin/vipd", "/usr/bin/vipctl", "/usr/share/vipd/launch",
                "/usr/share/vipd/vipd.jvm", "/usr/share/vipd/vipd.jar", "/usr/share/man/man8/vipd.8", "/usr/share/man/man8/vipctl.8",
                "/etc/vipd/vipd.conf", "/usr/share/doc/vipd/monitoring/vipd-alerts.yml",
                "/usr/share/doc/vipd/monitoring/vipd-dashboard.json"));
        try (JarFile jar = new JarFile(Testbed.vipdJarFromBuild().toFile())) {
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            Arrays.stream(classPath.trim().split("\\s+")).forEach(j -> commonFiles.add("/usr/share/vipd/" + j));
        }
        assertTrue(commonFiles.size() > 20, "vipd.jar's Class-Path should name its runtime jars: " + commonFiles);
    }

    private static String sh(String... command) throws IOException {
        Shell.Result r = Shell.run(List.of(command), 60_000);
        assertEquals(0, r.exit(), String.join(" ", command) + " failed:\n" + r.output());
        return r.output();
    }

    @Test
    void debMetadata() throws IOException {
        String info = sh("dpkg-deb", "-I", deb.toString());
        System.out.println("[package] dpkg-deb -I " + deb.getFileName() + "\n" + info);
        assertTrue(info.contains("Package: vipd\n"), info);
        assertTrue(info.contains("Version: " + VERSION + "\n"), info);
        assertTrue(info.contains("Architecture: all\n"), info);
        assertTrue(info.contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser\n"),
                info);
        assertEquals("/etc/vipd/vipd.conf", conffiles().trim(), "conffiles of the .deb");
        String contents = sh("dpkg-deb", "-c", deb.toString());
        System.out.println("[package] dpkg-deb -c " + deb.getFileName() + "\n" + contents);
        List<String> paths = contents.lines().map(l -> l.substring(l.indexOf("./") + 1)).toList();
        for (String f : commonFiles) {
            assertTrue(paths.contains(f), f + " missing from the .deb");
        }
        assertTrue(paths.contains("/lib/systemd/system/vipd.service"), "unit missing from the .deb");
        assertTrue(contents.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith("./usr/bin/vipd")),
                "/usr/bin/vipd should be executable");
    }

    /** The conffiles member of the .deb's control archive. */
    private String conffiles() throws IOException {
        Path dir = Files.createTempDirectory("vipd-deb-control-");
        try {
            sh("dpkg-deb", "-e", deb.toString(), dir.toString());
            return Files.readString(dir.resolve("conffiles"));
        } finally {
            Shell.quietly("rm", "-rf", dir.toString());
        }
    }

    @Test
    void rpmMetadata() throws IOException {
        String info = sh("rpm", "-qpi", rpm.toString());
        System.out.println("[package] rpm -qpi " + rpm.getFileName() + "\n" + info);
        String requires = sh("rpm", "-qp", "--requires", rpm.toString());
        assertTrue(requires.lines().anyMatch("java-headless >= 1:17"::equals), requires);
        assertEquals("/etc/vipd/vipd.conf", sh("rpm", "-qp", "--configfiles", rpm.toString()).trim());
        String list = sh("rpm", "-qpl", rpm.toString());
        System.out.println("[package] rpm -qpl " + rpm.getFileName() + "\n" + list);
        List<String> paths = list.lines().toList();
        for (String f : commonFiles) {
            assertTrue(paths.contains(f), f + " missing from the .rpm");
        }
        assertTrue(paths.contains("/usr/lib/systemd/system/vipd.service"), "unit missing from the .rpm");
        assertTrue(paths.contains("/var/lib/vipd"), "/var/lib/vipd should belong to the .rpm");
        String scripts = sh("rpm", "-qp", "--scripts", rpm.toString());
        assertTrue(scripts.contains("vipd --cleanup"), "erase must clean up VIP addresses and tables:\n" + scripts);
    }

    @Test
    void debInstallRunUpgradeRemovePurge() throws Exception {
        try (ThrowawayRoot root = ThrowawayRoot.create()) {
            root.copyIn(deb, "/tmp/vipd.deb");
            // dpkg checks the dependencies against this machine's real package database (its Java 17 included).
            String install = root.ok("dpkg -i /tmp/vipd.deb 2>&1");
            System.out.println("[install] dpkg -i\n" + install);
            checkInstalled(root, "/lib/systemd/system/vipd.service");

            root.ok("cat > /etc/vipd/vipd.conf <<'EOF'\n" + ONE_NODE_CONFIG + "EOF");
            runDaemonLikeTheUnit(root, false);

            // Upgrade (the same version again): the edited conffile stays, the Raft state stays.
            String upgrade = root.ok("dpkg -i /tmp/vipd.deb 2>&1");
            assertTrue(root.ok("cat /etc/vipd/vipd.conf").contains("# edited by the operator"),
                    "an upgrade overwrote the edited /etc/vipd/vipd.conf:\n" + upgrade);
            assertFalse(root.ok("ls /var/lib/vipd").isBlank(), "an upgrade dropped the Raft state");

            // A crashed daemon's leftovers, plus the VIP configured by hand: removal must leave neither behind.
            runDaemonLikeTheUnit(root, true);
            String remove = root.ok("dpkg -r vipd 2>&1");
            System.out.println("[install] dpkg -r vipd\n" + remove);
            checkCleanedUp(root, remove);
            assertFalse(root.run("test -e /usr/bin/vipd").exit() == 0, "dpkg -r left /usr/bin/vipd");
            assertEquals(0, root.run("test -f /etc/vipd/vipd.conf").exit(), "dpkg -r must keep the config");

            String purge = root.ok("dpkg --purge vipd 2>&1");
            System.out.println("[install] dpkg --purge vipd\n" + purge);
            assertFalse(root.run("test -e /etc/vipd/vipd.conf").exit() == 0, "purge left /etc/vipd/vipd.conf");
            assertFalse(root.run("test -e /var/lib/vipd").exit() == 0, "purge left /var/lib/vipd");
        }
    }

    @Test
    void rpmInstallRunUpgradeErase() throws Exception {
        try (ThrowawayRoot root = ThrowawayRoot.create()) {
            root.copyIn(rpm, "/tmp/vipd.rpm");
            // --nodeps: the RPM database of this Debian machine knows no Java package (Requires is checked above).
            String install = root.ok("rpm -i --nodeps /tmp/vipd.rpm 2>&1");
            System.out.println("[install] rpm -i\n" + install);
            checkInstalled(root, "/usr/lib/systemd/system/vipd.service");

            root.ok("cat > /etc/vipd/vipd.conf <<'EOF'\n" + ONE_NODE_CONFIG + "EOF");
            String upgrade = root.ok("rpm -U --replacepkgs --nodeps /tmp/vipd.rpm 2>&1");
            assertTrue(root.ok("cat /etc/vipd/vipd.conf").contains("# edited by the operator"),
                    "an upgrade overwrote the edited /etc/vipd/vipd.conf (%config(noreplace)):\n" + upgrade);

            runDaemonLikeTheUnit(root, true);
            String erase = root.ok("rpm -e --nodeps vipd 2>&1");
            System.out.println("[install] rpm -e vipd\n" + erase);
            checkCleanedUp(root, erase);
            assertFalse(root.run("test -e /usr/bin/vipd").exit() == 0, "rpm -e left /usr/bin/vipd");
            assertFalse(root.run("test -e /var/lib/vipd").exit() == 0, "rpm -e left the Raft state");
        }
    }

    /** What an operator runs right after installing, from the installed files. */
    private void checkInstalled(ThrowawayRoot root, String unit) throws IOException {
        for (String f : commonFiles) {
            assertEquals(0, root.run("test -f " + f).exit(), f + " not installed");
        }
        assertTrue(root.ok("getent passwd vipd").startsWith("vipd:"), "no vipd system user");
        assertTrue(root.ok("getent group vipd").startsWith("vipd:"), "no vipd system group (control.group)");
        assertEquals("640 root vipd", root.ok("stat -c '%a %U %G' /etc/vipd/vipd.conf").trim(),
                "the config should be readable by the vipd group only");
        assertEquals("750 vipd vipd", root.ok("stat -c '%a %U %G' /var/lib/vipd").trim());

        String version = root.ok("vipd --version");
        System.out.println("[install] vipd --version: " + version.trim());
        assertEquals("vipd " + VERSION, version.trim());
        String help = root.ok("vipctl --help");
        System.out.println("[install] vipctl --help:\n" + help);
        assertTrue(help.contains("status") && help.contains("lead"), help);
        Shell.Result notRunning = root.run("vipctl status");
        assertEquals(3, notRunning.exit(), "vipctl status with no daemon: " + notRunning.output());

        // The shipped example config names eth0 and 198.18.0.1-3; give this root's namespace an eth0.
        root.ok("ip link add name eth0 type veth peer name eth0-peer && ip addr add 198.18.0.1/24 dev eth0"
                + " && ip link set eth0 up && ip link set eth0-peer up");
        // Before any certificate exists, the shipped config is refused with the key, file and what to do.
        Shell.Result noCerts = root.run("vipd --check-config /etc/vipd/vipd.conf");
        assertEquals(78, noCerts.exit(), noCerts.output());
        assertTrue(noCerts.output().contains("tls.key: /etc/vipd/tls/n1.key"), noCerts.output());
        // As the example config says: a CA, this node's certificate, its key for the vipd user.
        String ca = root.ok("vipctl cert ca --out /root/vipd-ca --cluster vipd");
        String node = root.ok("vipctl cert node --ca /root/vipd-ca --id n1 --address 198.18.0.1 --out /etc/vipd/tls");
        System.out.println("[install] vipctl cert ca:\n" + ca + "[install] vipctl cert node:\n" + node);
        root.ok("chown vipd: /etc/vipd/tls/n1.key");
        String check = root.ok("vipd --check-config /etc/vipd/vipd.conf");
        System.out.println("[install] vipd --check-config /etc/vipd/vipd.conf: " + check.trim());
        assertTrue(check.trim().startsWith("/etc/vipd/vipd.conf: OK (node n1, 3 peers, 2 VIPs, TLS certificate "
                + "valid until "), check);

        String verify = root.ok("systemd-analyze verify " + unit + " 2>&1");
        System.out.println("[install] systemd-analyze verify " + unit + ": " + (verify.isBlank() ? "(no findings)"
                : verify));
        assertTrue(verify.lines().noneMatch(l -> l.contains("vipd.service")), "systemd-analyze verify:\n" + verify);
    }

    /**
     * Starts the installed daemon as the unit does (user vipd, CAP_NET_ADMIN + CAP_NET_RAW only, no new
     * privileges, /run/vipd made for it), waits for READY=1, checks it owns and fences the VIP, then either stops it
     * with SIGTERM (the VIP must be released) or kills it with SIGKILL and configures the VIP by hand as well, to
     * leave the worst leftovers for package removal.
     */
    private void runDaemonLikeTheUnit(ThrowawayRoot root, boolean crash) throws Exception {
        root.ok("install -d -o vipd -g vipd -m 0750 /run/vipd");
        Path log = Files.createTempFile("vipd-installed-", ".log");
        try (NotifyReceiver systemd = new NotifyReceiver(root.outside("/run/notify"))) {
            Process daemon = root.start("exec setpriv --reuid=vipd --regid=vipd --init-groups"
                    + " --inh-caps=-all,+net_admin,+net_raw --ambient-caps=-all,+net_admin,+net_raw"
                    + " --bounding-set=-all,+net_admin,+net_raw --no-new-privs"
                    + " env NOTIFY_SOCKET=/run/notify /usr/bin/vipd --config /etc/vipd/vipd.conf", log);
            try {
                Testbed.waitUntil("the installed daemon reports READY=1", 90_000,
                        () -> systemd.received("READY=1") || !daemon.isAlive());
                assertTrue(daemon.isAlive(), "the installed daemon exited:\n" + Files.readString(log));
                assertEquals("vipd", root.ok("stat -c %U /proc/" + daemon.pid()).trim(),
                        "the daemon should run as the vipd user");
                Testbed.waitUntil("the daemon carries its VIP", 30_000, () -> {
                    try {
                        return root.ok("ip -o -4 addr show dev eth0").contains("198.18.0.100/24");
                    } catch (IOException e) {
                        return false;
                    }
                });
                JsonNode status = JSON.readTree(root.ok("vipctl status --json"));
                assertEquals("660 vipd vipd", root.ok("stat -c '%a %U %G' /run/vipd/vipd.sock").trim(),
                        "the control socket: the daemon's, and its group's (control.group = vipd) to read status");
                assertEquals("n1", status.at("/vips/0/owner").asText(), status.toString());
                String tables = root.ok("nft list tables");
                assertTrue(tables.contains("table arp vipd") && tables.contains("table ip vipd"), tables);
                System.out.println("[install] installed daemon, as user vipd with 2 capabilities: READY=1, STATUS="
                        + systemd.last("STATUS"));
                if (crash) {
                    daemon.destroyForcibly();
                    assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
                    root.ok("ip addr replace 198.18.0.100/24 dev eth0");
                } else {
                    daemon.destroy(); // SIGTERM, as systemctl stop
                    assertTrue(daemon.waitFor(15, TimeUnit.SECONDS), "SIGTERM did not stop the daemon");
                    assertEquals(143, daemon.exitValue(), "exit status after SIGTERM (SuccessExitStatus=143)");
                    assertTrue(systemd.received("STOPPING=1"), systemd.messages().toString());
                    assertFalse(root.ok("ip -o -4 addr show dev eth0").contains("198.18.0.100"),
                            "SIGTERM left the VIP configured");
                }
            } finally {
                Testbed.killTree(daemon);
                Files.deleteIfExists(log);
            }
        }
    }

    /** After removal: no VIP address and no vipd nftables table left, removed by the package's own cleanup. */
    private void checkCleanedUp(ThrowawayRoot root, String removalOutput) throws IOException {
        assertTrue(removalOutput.contains("removed VIP web 198.18.0.100/24 from eth0"), removalOutput);
        assertFalse(root.ok("ip -o -4 addr show dev eth0").contains("198.18.0.100"), "removal left the VIP");
        assertFalse(root.ok("nft list tables").contains("vipd"), "removal left vipd's nftables tables");
    }
}
