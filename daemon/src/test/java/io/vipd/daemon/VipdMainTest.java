package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VipdMainTest {
    @Test
    void checkConfigReportsFileLineKeyAndExits78(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("vipd.conf");
        Files.writeString(conf, "node.id = n1\npeer.n1 = 198.18.0.1:7400\nvip.web.address = 198.18.0.999/24\n"
                + "vip.web.interface = eth0\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new VipdMain()).execute("--check-config", conf.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(78, exit);
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(conf + ":3: vip.web.address: '198.18.0.999' is not a valid IPv4 address\n", message);
        assertFalse(message.contains("Exception"), "no stack trace for a user error");
    }

    @Test
    void checkConfigPrintsWarningsAndExits0(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("vipd.conf");
        Files.writeString(conf, "node.id = n1\ndata.dir = " + dir + "\npeer.n1 = 198.18.0.1:7400\n"
                + "peer.n2 = 198.18.0.2:7400\nvip.web.address = 198.18.0.100/24\nvip.web.interface = lo\n"
                + "insecure = true\n");
        String[] r = checkConfig(conf);
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].startsWith("warning: " + conf + ":3: peer.n1: 2 members: "), r[2]);
        assertEquals(conf + ": OK (node n1, 2 peers, 1 VIPs, INSECURE: Raft traffic without TLS)\n", r[1]);
    }

    private static String[] checkConfig(Path conf) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new VipdMain()).execute("--check-config", conf.toString());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        return new String[] {String.valueOf(exit), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void checkConfigRequiresTlsMaterialOrAnExplicitInsecure(@TempDir Path dir) throws Exception {
        String base = "node.id = n1\ndata.dir = " + dir + "\npeer.n1 = 198.18.0.1:7400\npeer.n2 = 198.18.0.2:7400\n"
                + "peer.n3 = 198.18.0.3:7400\nvip.web.address = 198.18.0.100/24\nvip.web.interface = lo\n";
        Path conf = dir.resolve("vipd.conf");
        Files.writeString(conf, base);
        String[] r = checkConfig(conf);
        assertEquals("78", r[0]);
        assertTrue(r[2].startsWith(conf + ": tls.ca: not set: vipd authenticates and encrypts Raft traffic"), r[2]);

        io.vipd.security.CertificateIssuer issuer = new io.vipd.security.CertificateIssuer();
        io.vipd.security.CaMaterial ca = issuer.newCa("vipd", java.time.Duration.ofDays(100));
        io.vipd.security.PemFiles.writeCertificates(dir.resolve("ca.pem"), java.util.List.of(ca.cert()));
        for (String node : java.util.List.of("n1", "n2")) {
            io.vipd.security.NodeMaterial m = issuer.issueNode(ca, node, java.util.List.of(), java.time.Duration
                    .ofDays(50));
            io.vipd.security.PemFiles.writeCertificates(dir.resolve(node + ".pem"), java.util.List.of(m.cert()));
            io.vipd.security.PemFiles.writePrivateKey(dir.resolve(node + ".key"), m.key());
        }
        String tls = "tls.ca = " + dir.resolve("ca.pem") + "\ntls.cert = " + dir.resolve("n1.pem") + "\ntls.key = "
                + dir.resolve("n1.key") + "\n";
        Files.writeString(conf, base + tls);
        r = checkConfig(conf);
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith(conf + ": OK (node n1, 3 peers, 1 VIPs, TLS certificate valid until "), r[1]);

        // Another node's certificate: refused, naming the key and line.
        Files.writeString(conf, base + tls.replace("n1.pem", "n2.pem"));
        r = checkConfig(conf);
        assertEquals("78", r[0]);
        assertTrue(r[2].startsWith(conf + ":9: tls.cert: " + dir.resolve("n2.pem") + ": names [n2], not this node's "
                + "id 'n1'"), r[2]);

        // A private key others may read: refused before it is even parsed.
        Files.writeString(conf, base + tls);
        Files.setPosixFilePermissions(dir.resolve("n1.key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        r = checkConfig(conf);
        assertEquals("78", r[0]);
        assertTrue(r[2].startsWith(conf + ":10: tls.key: " + dir.resolve("n1.key") + " is readable by group/others"),
                r[2]);
        assertTrue(!r[2].contains("PRIVATE KEY") && !r[2].contains("MII"), "no key material in messages: " + r[2]);
    }

    @Test
    void runWithAMissingConfigExits78(@TempDir Path dir) {
        int exit = new CommandLine(new VipdMain()).execute("--config", dir.resolve("none.conf").toString());
        assertEquals(78, exit);
    }

    @Test
    void helpListsTheExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cl = new CommandLine(new VipdMain());
        cl.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        assertTrue(out.toString().contains("78"), out.toString());
    }
}
