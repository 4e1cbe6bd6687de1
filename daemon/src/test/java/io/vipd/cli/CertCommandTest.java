package io.vipd.cli;

import static io.vipd.cli.VipctlTest.vipctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cli.VipctlTest.Run;
import io.vipd.security.NodeNames;
import io.vipd.security.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vipctl cert}, end to end through picocli as the shell runs it, on files in a temporary directory. */
class CertCommandTest {
    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static X509Certificate cert(Path p) throws Exception {
        return PemFiles.readCertificates(p).get(0);
    }

    /** A failure: the exit code, and exactly one line on stderr, no stack trace, nothing on stdout. */
    static void assertFails(int exit, String err, Run r) {
        assertEquals(exit, r.exit(), r.err());
        assertEquals(err + "\n", r.err());
        assertEquals("", r.out());
    }

    /** A usage error: exit 2, the message first, then the usage (as vipctl's other commands), no stack trace. */
    static void assertUsage(String message, Run r) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(message, r.err().lines().findFirst().orElse(""));
        assertTrue(r.err().contains("Usage: vipctl cert "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    static Run ca(Path dir, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("cert", "ca", "--out", dir.toString(), "--cluster",
                "prod"));
        args.addAll(List.of(more));
        return vipctl(args.toArray(new String[0]));
    }

    @Test
    void caThenNodeThenShowGiveANodeEverythingItNeeds(@TempDir Path tmp) throws Exception {
        Path caDir = tmp.resolve("ca");
        Run ca = ca(caDir);
        assertEquals(0, ca.exit(), ca.err());
        assertTrue(ca.out().startsWith("wrote " + caDir.resolve("ca.pem") + " (CA certificate of cluster prod, "
                + "valid until "), ca.out());
        assertTrue(ca.out().contains("wrote " + caDir.resolve("ca.key") + " (CA private key, mode 0600"), ca.out());
        assertTrue(ca.out().contains("next, for each node: vipctl cert node --ca " + caDir + " --id NODE"), ca.out());
        assertEquals("rw-r--r--", mode(caDir.resolve("ca.pem")));
        assertEquals("rw-------", mode(caDir.resolve("ca.key")));
        X509Certificate caCert = cert(caDir.resolve("ca.pem"));
        assertEquals("CN=vipd cluster CA prod", caCert.getSubjectX500Principal().getName());
        assertEquals(0, caCert.getBasicConstraints());
        assertEquals(Duration.ofDays(3650).plusHours(1), Duration.between(caCert.getNotBefore().toInstant(),
                caCert.getNotAfter().toInstant()), "--days defaults to 3650, plus the hour of clock skew");

        Path out = tmp.resolve("n1");
        Run node = vipctl("cert", "node", "--ca", caDir.toString(), "--id", "n1", "--address", "198.18.0.1",
                "--address", "n1.example.net", "--out", out.toString());
        assertEquals(0, node.exit(), node.err());
        assertTrue(node.out().endsWith("tls.ca = " + out.resolve("ca.pem") + "\ntls.cert = " + out.resolve("n1.pem")
                + "\ntls.key = " + out.resolve("n1.key") + "\n"), node.out());
        assertTrue(node.out().contains("wrote " + out.resolve("ca.pem") + " (the cluster CA certificate)"));
        assertEquals("rw-------", mode(out.resolve("n1.key")));
        assertEquals("rw-r--r--", mode(out.resolve("n1.pem")));
        assertEquals(List.of(caCert), PemFiles.readCertificates(out.resolve("ca.pem")), "the bundle's CA");
        X509Certificate n1 = cert(out.resolve("n1.pem"));
        n1.verify(caCert.getPublicKey());
        assertEquals(Optional.of("n1"), NodeNames.nodeIdIn(n1, List.of("n1", "n2", "n3")));
        assertTrue(n1.getSubjectAlternativeNames().contains(List.of(7, "198.18.0.1")));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(PemFiles.readPrivateKey(out.resolve("n1.key")));
        s.update(new byte[] {42});
        byte[] sig = s.sign();
        s.initVerify(n1.getPublicKey());
        s.update(new byte[] {42});
        assertTrue(s.verify(sig), "n1.key is n1.pem's key");
        assertEquals(Duration.ofDays(825).plusHours(1), Duration.between(n1.getNotBefore().toInstant(),
                n1.getNotAfter().toInstant()), "--days defaults to 825");

        Run show = vipctl("cert", "show", out.resolve("n1.pem").toString());
        assertEquals(0, show.exit(), show.err());
        assertEquals(List.of("subject:    CN=n1", "names:      n1, n1.example.net", "addresses:  198.18.0.1",
                "issuer:     CN=vipd cluster CA prod", "CA:         no",
                "not before: " + n1.getNotBefore().toInstant(),
                "not after:  " + n1.getNotAfter().toInstant() + " (825 days left)",
                "sha-256:    " + CertificateText.fingerprint(n1)), show.out().lines().toList());
        assertEquals(32, CertificateText.fingerprint(n1).split(":").length);
        Run showCa = vipctl("cert", "show", caDir.resolve("ca.pem").toString());
        assertTrue(showCa.out().contains("CA:         yes (path length 0)"), showCa.out());
        assertTrue(showCa.out().contains("names:      vipd cluster CA prod"), showCa.out());
    }

    @Test
    void aSecondNodeKeepsTheBundleAndNoNodeOutlivesTheCa(@TempDir Path tmp) throws Exception {
        Path caDir = tmp.resolve("ca");
        assertEquals(0, ca(caDir, "--days", "10").exit());
        Path out = tmp.resolve("nodes");
        assertEquals(0, vipctl("cert", "node", "--ca", caDir.toString(), "--id", "n1", "--out", out.toString())
                .exit());
        Run n2 = vipctl("cert", "node", "--ca", caDir.toString(), "--id", "n2", "--out", out.toString());
        assertEquals(0, n2.exit(), n2.err());
        assertTrue(n2.out().contains("kept " + out.resolve("ca.pem") + " (already the cluster CA certificate)"),
                n2.out());
        assertEquals(cert(caDir.resolve("ca.pem")).getNotAfter(), cert(out.resolve("n2.pem")).getNotAfter(),
                "825 days asked, the CA's 10 given");
        // the CA's own directory as the output: its ca.pem is the bundle's, kept
        Run beside = vipctl("cert", "node", "--ca", caDir.toString(), "--id", "n3", "--out", caDir.toString());
        assertEquals(0, beside.exit(), beside.err());
        assertTrue(beside.out().contains("kept " + caDir.resolve("ca.pem")), beside.out());
    }

    @Test
    void existingFilesAreRefusedWithoutForce(@TempDir Path tmp) throws Exception {
        Path caDir = tmp.resolve("ca");
        assertEquals(0, ca(caDir).exit());
        X509Certificate first = cert(caDir.resolve("ca.pem"));
        assertFails(1, "vipctl: " + caDir.resolve("ca.pem") + ": already exists (use --force to replace it)",
                ca(caDir));
        assertEquals(first, cert(caDir.resolve("ca.pem")), "untouched");
        Run forced = ca(caDir, "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertTrue(forced.out().contains("this is a new CA: node certificates of the old one are not trusted"));
        assertNotEquals(first, cert(caDir.resolve("ca.pem")));
        assertEquals("rw-------", mode(caDir.resolve("ca.key")));

        Path out = tmp.resolve("n1");
        String[] node = {"cert", "node", "--ca", caDir.toString(), "--id", "n1", "--out", out.toString()};
        assertEquals(0, vipctl(node).exit());
        X509Certificate n1 = cert(out.resolve("n1.pem"));
        assertFails(1, "vipctl: " + out.resolve("n1.pem") + ": already exists (use --force to replace it)",
                vipctl(node));
        assertEquals(n1, cert(out.resolve("n1.pem")));
        String[] forcedNode = java.util.stream.Stream.concat(java.util.Arrays.stream(node), java.util.stream.Stream.of(
                "--force")).toArray(String[]::new);
        assertEquals(0, vipctl(forcedNode).exit());
        assertNotEquals(n1, cert(out.resolve("n1.pem")));

        // a bundle ca.pem of another CA: the node would trust the wrong CA
        Path otherCa = tmp.resolve("other");
        assertEquals(0, ca(otherCa).exit());
        assertFails(1, "vipctl: " + out.resolve("ca.pem") + ": already exists and is not this CA's certificate (use "
                + "--force to replace it)", vipctl("cert", "node", "--ca", otherCa.toString(), "--id", "n2", "--out",
                out.toString()));
        assertFalse(Files.exists(out.resolve("n2.key")), "nothing written");
    }

    @Test
    void missingOrUnsafeCaMaterialFailsNamingTheFile(@TempDir Path tmp) throws Exception {
        Path none = tmp.resolve("none");
        assertFails(1, "vipctl: " + none.resolve("ca.pem") + ": no such file (make the CA first: vipctl cert ca "
                + "--out DIR --cluster NAME)", vipctl("cert", "node", "--ca", none.toString(), "--id", "n1", "--out",
                tmp.resolve("n1").toString()));
        Path caDir = tmp.resolve("ca");
        assertEquals(0, ca(caDir).exit());
        Path key = caDir.resolve("ca.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        assertFails(1, "vipctl: " + key + " is readable by group/others (mode 0640): a private key must be private "
                + "(chmod 600 " + key + ")", vipctl("cert", "node", "--ca", caDir.toString(), "--id", "n1", "--out",
                tmp.resolve("n1").toString()));
        Files.delete(key);
        assertFails(1, "vipctl: " + key + ": no such file", vipctl("cert", "node", "--ca", caDir.toString(), "--id",
                "n1", "--out", tmp.resolve("n1").toString()));
        Files.writeString(caDir.resolve("ca.pem"), "not a certificate\n");
        assertFails(1, "vipctl: " + caDir.resolve("ca.pem") + ": no certificate found (expected a PEM 'CERTIFICATE' "
                + "block)", vipctl("cert", "node", "--ca", caDir.toString(), "--id", "n1", "--out",
                tmp.resolve("n1").toString()));
        assertFalse(Files.exists(tmp.resolve("n1")), "nothing made");
    }

    @Test
    void badValuesAreUsageErrors(@TempDir Path tmp) {
        String caDir = tmp.resolve("ca").toString();
        assertEquals(0, ca(tmp.resolve("ca")).exit());
        String out = tmp.resolve("n1").toString();
        assertUsage("node id 'bad id' is not valid (letters, digits, '-', '_' or '.', starting with a letter or digit, "
                + "at most 63 characters)", vipctl("cert", "node", "--ca", caDir, "--id", "bad id", "--out", out));
        assertUsage("address '198.18.0.1:7400' is neither an IP address nor a DNS name (give it without a port)",
                vipctl("cert", "node", "--ca", caDir, "--id", "n1", "--address", "198.18.0.1:7400", "--out", out));
        assertUsage("node id 'ca' would collide with ca.pem and ca.key",
                vipctl("cert", "node", "--ca", caDir, "--id", "ca", "--out", out));
        assertUsage("--days must be between 1 and 36500, not 0",
                vipctl("cert", "node", "--ca", caDir, "--id", "n1", "--out", out, "--days", "0"));
        assertUsage("Missing required option: '--id=ID'", vipctl("cert", "node", "--ca", caDir, "--out", out));
        assertUsage("cluster name 'a b' is not valid (letters, digits, '-' or '_', at most 48 characters)",
                vipctl("cert", "ca", "--out", tmp.resolve("ca2").toString(), "--cluster", "a b"));
        assertFalse(Files.exists(tmp.resolve("n1")) || Files.exists(tmp.resolve("ca2")), "nothing made");
    }

    @Test
    void showRefusesWhatIsNotACertificate(@TempDir Path tmp) throws Exception {
        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "hello\n");
        assertFails(1, "vipctl: " + garbage + ": no certificate found (expected a PEM 'CERTIFICATE' block)",
                vipctl("cert", "show", garbage.toString()));
        assertFails(1, "vipctl: " + tmp.resolve("absent.pem") + ": no such file",
                vipctl("cert", "show", tmp.resolve("absent.pem").toString()));
        assertEquals(2, vipctl("cert", "show").exit(), "FILE is required");
    }

    @Test
    void helpAndTheTimeLeft() {
        Run help = vipctl("help", "cert");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("ca    Create the cluster's CA"), help.out());
        assertTrue(help.out().contains("1   failure (a file missing, unreadable, or there already without --force)"),
                help.out());
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertEquals("825 days left", CertificateText.left(now.plusMillis(300), now.plus(Duration.ofDays(825))));
        assertEquals("1 day left", CertificateText.left(now, now.plus(Duration.ofHours(30))));
        assertEquals("5 hours left", CertificateText.left(now, now.plus(Duration.ofHours(5))));
        assertEquals("expires in less than an hour", CertificateText.left(now, now.plusSeconds(60)));
        assertEquals("EXPIRED 3 days ago", CertificateText.left(now, now.minus(Duration.ofDays(3))));
        assertEquals("EXPIRED", CertificateText.left(now, now.minusSeconds(5)));
    }
}
