package io.vipd.config;

import static io.vipd.config.ConfigLoaderTest.FILE;
import static io.vipd.config.ConfigLoaderTest.VALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is valid syntax but wrong (refused) or risky (warned) for a cluster of servers: where the control socket and
 * the data go, VIPs that are a subnet's network or broadcast address, digits of other scripts, the cluster's size,
 * an election slower than a lease, hook programs that are not there.
 */
class ConfigSanityRulesTest {
    private final ConfigLoader loader = new ConfigLoader(ignored -> "host-a");

    @TempDir
    Path dir;

    private ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> loader.parse(FILE, text));
    }

    private static String socket(String path) {
        return VALID + "control.socket = " + path + "\n";
    }

    private static String dataDir(String path) {
        return VALID.replace("data.dir = /tmp/vipd-test", "data.dir = " + path);
    }

    // ---- control.socket ----------------------------------------------------------------------------------------

    @Test
    void controlSocketLengthFitsSunPath() throws Exception {
        String base = "/run/vipd/";
        String longest = base + "s".repeat(PathRules.MAX_SOCKET_PATH_BYTES - base.length());
        assertEquals(Path.of(longest), loader.parse(FILE, socket(longest)).controlSocket());
        ConfigException e = error(socket(longest + "s"));
        assertEquals(FILE + ":12: control.socket: the path is 108 bytes long; a Unix socket path holds at most 107 "
                + "bytes (UTF-8)", e.getMessage());
        // Bytes, not characters: 10 + 2 × 50 = 110 bytes in 60 characters.
        assertTrue(error(socket(base + "\u00e9".repeat(50))).problem().startsWith("the path is 110 bytes long"));
    }

    @Test
    void controlSocketMustNotBeAnExistingNonSocket() throws Exception {
        String notASocket = " exists and is not a socket (it is %s); vipd never deletes it — remove it or choose "
                + "another path";
        assertEquals(FILE + ":12: control.socket: /etc" + notASocket.formatted("a directory"),
                error(socket("/etc")).getMessage());
        Path file = Files.writeString(dir.resolve("vipd.sock"), "precious");
        assertEquals(FILE + ":12: control.socket: " + file + notASocket.formatted("a regular file"),
                error(socket(file.toString())).getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("link.sock"), dir.resolve("nowhere"));
        assertEquals(FILE + ":12: control.socket: " + link + notASocket.formatted("a symbolic link"),
                error(socket(link.toString())).getMessage());
        Path subdirectory = Files.createDirectory(dir.resolve("sub"));
        assertEquals(FILE + ":12: control.socket: " + subdirectory + notASocket.formatted("a directory"),
                error(socket(subdirectory.toString())).getMessage());
    }

    @Test
    void anExistingSocketIsFine() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            assertEquals(path, loader.parse(FILE, socket(path.toString())).controlSocket());
        }
    }

    @Test
    void controlSocketNotInASystemDirectory() throws Exception {
        for (String parent : List.of("/", "/etc", "/usr", "/bin", "/sbin", "/lib", "/dev", "/boot")) {
            String path = Path.of(parent).resolve("vipd-test-" + ProcessHandle.current().pid() + ".sock").toString();
            ConfigException e = error(socket(path));
            assertEquals(FILE + ":12: control.socket: " + path + " would be a socket directly in " + parent
                    + ", a system directory; use a directory of vipd's own, such as /run/vipd", e.getMessage());
        }
        for (String path : List.of("/proc/vipd.sock", "/sys/fs/vipd.sock", "/proc/self/fd/vipd.sock")) {
            assertTrue(error(socket(path)).problem().contains(" is in /" + path.split("/")[1]
                    + ", a kernel file system"), path);
        }
        Path toEtc = Files.createSymbolicLink(dir.resolve("etc-link"), Path.of("/etc"));
        String via = toEtc.resolve("vipd-test.sock").toString();
        assertEquals(FILE + ":12: control.socket: " + via + " would be a socket directly in /etc (where " + toEtc
                + " leads), a system directory; use a directory of vipd's own, such as /run/vipd",
                error(socket(via)).getMessage());
    }

    @Test
    void pathsMustBePlainAndAbsolute() {
        assertEquals(FILE + ":12: control.socket: '/run/vipd/../../etc/x.sock' must not contain '.' or '..' (write "
                + "the path it means)", error(socket("/run/vipd/../../etc/x.sock")).getMessage());
        assertEquals(FILE + ":12: control.socket: 'vipd.sock' must be an absolute path",
                error(socket("vipd.sock")).getMessage());
        assertEquals(FILE + ":3: data.dir: '/var/lib/./vipd' must not contain '.' or '..' (write the path it means)",
                error(dataDir("/var/lib/./vipd")).getMessage());
    }

    // ---- data.dir ------------------------------------------------------------------------------------------------

    @Test
    void dataDirNotInTheSystem() throws Exception {
        assertEquals(FILE + ":3: data.dir: / is a system directory, not a place for vipd's Raft log; use a directory "
                + "of vipd's own, such as /var/lib/vipd", error(dataDir("/")).getMessage());
        assertEquals(FILE + ":3: data.dir: /proc/self is in /proc, a kernel file system where nothing can be stored; "
                + "use a directory of vipd's own, such as /var/lib/vipd", error(dataDir("/proc/self")).getMessage());
        for (String path : List.of("/etc", "/usr", "/var", "/tmp", "/run", "/boot", "/proc", "/sys/kernel",
                "/dev/shm/vipd", "/dev")) {
            assertEquals("data.dir", error(dataDir(path)).key(), path);
        }
        Path toRoot = Files.createSymbolicLink(dir.resolve("root-link"), Path.of("/"));
        assertEquals(FILE + ":3: data.dir: / (where " + toRoot + " leads) is a system directory, not a place for "
                + "vipd's Raft log; use a directory of vipd's own, such as /var/lib/vipd",
                error(dataDir(toRoot.toString())).getMessage());
        Path file = Files.writeString(dir.resolve("data"), "");
        assertEquals(FILE + ":3: data.dir: " + file + " exists and is not a directory",
                error(dataDir(file.toString())).getMessage());
        assertEquals(Path.of("/var/lib/vipd"), loader.parse(FILE, dataDir("/var/lib/vipd")).dataDir());
        assertEquals(dir, loader.parse(FILE, dataDir(dir.toString())).dataDir());
    }

    // ---- VIP addresses -------------------------------------------------------------------------------------------

    @Test
    void vipIsNotItsSubnetsNetworkOrBroadcastAddress() throws Exception {
        assertEquals(FILE + ":7: vip.web.address: 198.18.0.0 is the network address of 198.18.0.0/24; a VIP must be "
                + "a host address (198.18.0.1 to 198.18.0.254)",
                error(VALID.replace("198.18.0.100/24", "198.18.0.0/24")).getMessage());
        assertEquals(FILE + ":7: vip.web.address: 198.18.0.255 is the broadcast address of 198.18.0.255/24; a VIP "
                + "must be a host address (198.18.0.1 to 198.18.0.254)",
                error(VALID.replace("198.18.0.100/24", "198.18.0.255/24")).getMessage());
        assertTrue(error(VALID.replace("198.18.0.100/24", "198.18.1.255/23")).problem().contains("broadcast"));
        assertTrue(error(VALID.replace("198.18.0.100/24", "198.18.0.100/30")).problem().contains("network"));
        for (String ok : List.of("198.18.0.255/23", "198.18.0.102/31", "198.18.0.103/31", "198.18.0.255/32",
                "198.18.0.0/32", "198.18.0.254/24")) {
            assertEquals(ok, loader.parse(FILE, VALID.replace("198.18.0.100/24", ok)).vip("web").orElseThrow().cidr(),
                    ok);
        }
    }

    // ---- numbers -------------------------------------------------------------------------------------------------

    @Test
    void onlyAsciiDigitsMakeNumbers() {
        String arabicIndic700 = "\u0667\u0660\u0660";
        String fullwidth7400 = "\uff17\uff14\uff10\uff10";
        assertEquals(FILE + ":12: lease.ms: '" + arabicIndic700 + "' is not a whole number (ASCII digits 0-9)",
                error(VALID + "lease.ms = " + arabicIndic700 + "\n").getMessage());
        assertEquals(FILE + ":6: peer.n3: port in '198.18.0.3:" + fullwidth7400 + "' is not a number (ASCII digits "
                + "0-9)", error(VALID.replace("198.18.0.3:7400", "198.18.0.3:" + fullwidth7400)).getMessage());
        assertEquals(FILE + ":7: vip.web.address: prefix length in '198.18.0.100/\u0662\u0664' is not a number "
                + "(ASCII digits 0-9)", error(VALID.replace("/24\nvip.web.interface", "/\u0662\u0664\n"
                + "vip.web.interface")).getMessage());
        assertEquals("announce.burst.count", error(VALID + "announce.burst.count = +3\n").key());
        assertEquals("announce.burst.count", error(VALID + "announce.burst.count = \u0663\n").key());
        String checks = "check.c.type = tcp\ncheck.c.target = 127.0.0.1:%s\ncheck.c.rise = %s\n";
        assertTrue(error(VALID + checks.formatted("\u0668\u0660", "2")).getMessage()
                .contains("check.c.target: '127.0.0.1:\u0668\u0660' is not host:port"));
        assertTrue(error(VALID + checks.formatted("80", "\u0662")).getMessage()
                .contains("check.c.rise: '\u0662' is not a whole number (ASCII digits 0-9)"));
        assertTrue(error(VALID + "check.h.type = http\ncheck.h.url = http://127.0.0.1/\ncheck.h.status = "
                + "\u0662\u0660\u0660\n").getMessage().contains("check.h.status: '\u0662\u0660\u0660' is not a status"));
        assertTrue(error(VALID + "check.h.type = http\ncheck.h.url = http://127.0.0.1:\u0668\u0660/\n").getMessage()
                .contains("check.h.url: "));
        // A peer address in another script's digits only looks like an address.
        String arabicAddress = "\u0661\u0669\u0668.\u0661\u0668.\u0660.\u0663";
        assertEquals(FILE + ":6: peer.n3: '" + arabicAddress + "' is not an IPv4 address or a host name (ASCII "
                + "letters, digits, '-' and '.')",
                error(VALID.replace("198.18.0.3:7400", arabicAddress + ":7400")).getMessage());
    }

    @Test
    void peerHosts() throws Exception {
        assertEquals("db-3.example.net", loader.parse(FILE, VALID.replace("198.18.0.3:7400", "db-3.example.net:7400"))
                .peer("n3").orElseThrow().host());
        assertEquals("[2001:db8::3]", loader.parse(FILE, VALID.replace("198.18.0.3:7400", "[2001:db8::3]:7400"))
                .peer("n3").orElseThrow().host());
        assertEquals(FILE + ":6: peer.n3: '2001:db8::3' is not an IPv4 address or a host name (an IPv6 address "
                + "needs brackets: [2001:db8::3]:port)",
                error(VALID.replace("198.18.0.3:7400", "2001:db8::3:7400")).getMessage());
        assertEquals(FILE + ":6: peer.n3: '198.18.3' is not an IPv4 address (four numbers 0-255, e.g. 198.18.0.1)",
                error(VALID.replace("198.18.0.3:7400", "198.18.3:7400")).getMessage());
        assertTrue(error(VALID.replace("198.18.0.3:7400", "db 3:7400")).problem().contains("not an IPv4 address or"));
    }

    // ---- cluster size --------------------------------------------------------------------------------------------

    private static String cluster(int members) {
        StringBuilder sb = new StringBuilder("node.id = n1\ndata.dir = /tmp/vipd-test\n");
        for (int i = 1; i <= members; i++) {
            sb.append("peer.n").append(i).append(" = 198.18.").append(i / 250).append('.').append(i % 250 + 1)
                    .append(":7400\n");
        }
        return sb.append("vip.web.address = 198.19.0.100/24\nvip.web.interface = eth0\n").toString();
    }

    @Test
    void clusterSize() throws Exception {
        assertEquals(List.of(FILE + ":3: peer.n1: only one member: nothing can fail over; when this host stops, its "
                + "VIPs are gone (3 or 5 members is usual)"), loader.parse(FILE, cluster(1)).warnings());
        assertEquals(List.of(FILE + ":3: peer.n1: 2 members: a majority of 2 is 2, so when either node fails (or the "
                + "two cannot talk) no lease renewal is confirmed, no VIP fails over and the VIPs of the survivor go "
                + "unanswered too; add a third node (3 or 5 members is usual), or a small witness (witnesses = ID) "
                + "that votes but holds no VIP"),
                loader.parse(FILE, cluster(2)).warnings());
        for (int quiet : List.of(3, 4, 5, 7, 9)) {
            assertEquals(List.of(), loader.parse(FILE, cluster(quiet)).warnings(), quiet + " members");
        }
        assertEquals(List.of(FILE + ":3: peer.n1: 10 voting members: every lease renewal waits for 6 of them to write "
                + "it, which adds latency and load without useful safety (3 or 5 is usual)"),
                loader.parse(FILE, cluster(10)).warnings());
        assertEquals(64, loader.parse(FILE, cluster(64)).peers().size());
        ConfigException e = error(cluster(65));
        assertEquals(FILE + ":67: peer.n65: 65 members; at most 64 are supported: every lease renewal of every "
                + "member is committed by a majority of all members, several times a second (3 or 5 is usual)",
                e.getMessage());
        assertTrue(error(cluster(1000)).problem().startsWith("1000 members; at most 64"));
    }

    // ---- timing --------------------------------------------------------------------------------------------------

    @Test
    void anElectionSlowerThanTheLeaseIsAWarning() throws Exception {
        VipdConfig c = loader.parse(FILE, VALID + "raft.election.timeout.max.ms = 1000\nfailover.timeout.ms = 900\n");
        assertEquals(List.of(FILE + ":12: raft.election.timeout.max.ms: election timeout up to 1000 ms is longer "
                + "than lease.ms = 700: when the Raft leader crashes, every owner's lease can run out before a new "
                + "leader is elected, and then all VIPs go unanswered until the election ends; keep "
                + "raft.election.timeout.max.ms at or below lease.ms (default: 300 and 700)"), c.warnings());
        assertEquals("lease.ms", loader.parse(FILE, VALID + "lease.ms = 250\nlease.renew.interval.ms = 50\n"
                + "failover.timeout.ms = 400\n").warnings().get(0).split(": ")[1]);
        assertEquals(List.of(), loader.parse(FILE, VALID).warnings());
        assertEquals(List.of(), loader.parse(FILE, VALID + "profile = fast\n").warnings(),
                "the fast profile's election timeout equals its lease");
    }

    // ---- programs ------------------------------------------------------------------------------------------------

    @Test
    void missingOrNotExecutableProgramsAreWarnings() throws Exception {
        Path script = Files.writeString(dir.resolve("notify"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Path missing = dir.resolve("missing");
        String later = ": the hook will fail each time it runs until that is fixed (only a warning: the program may "
                + "be deployed after this file)";
        VipdConfig c = loader.parse(FILE, VALID + "notify.acquire = " + missing + " up\n"
                + "notify.release = " + script + "\nnotify.any = " + dir + "\n");
        // Without any execute bit, a file is not executable for root either.
        List<String> expected = new java.util.ArrayList<>(List.of(
                FILE + ":12: notify.acquire: " + missing + " does not exist on this host" + later,
                FILE + ":13: notify.release: " + script + " is not executable (chmod +x)" + later));
        expected.add(FILE + ":14: notify.any: " + dir + " is a directory, not a program" + later);
        assertEquals(expected, c.warnings());
        assertEquals(List.of(missing.toString(), "up"), c.hooks().acquire(), "a warning, not an error");

        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(List.of(), loader.parse(FILE, VALID + "notify.fault = " + script + "\n").warnings());

        VipdConfig check = loader.parse(FILE, VALID + "check.c.type = exec\ncheck.c.command = " + missing
                + " --quick\n");
        assertEquals(List.of(FILE + ":13: check.c.command: " + missing + " does not exist on this host: the check "
                + "(and so the VIPs that need it) will fail each time it runs until that is fixed (only a warning: the "
                + "program may be deployed after this file)"), check.warnings());
    }
}
