package io.vipd.security;

import static io.vipd.security.TlsFixture.MEMBERS;
import static io.vipd.security.TlsFixture.T0;
import static io.vipd.security.TlsFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading refuses every kind of bad material, naming the tls.* key and its file, and never quoting a key. */
class TlsMaterialTest {
    static final CaMaterial CA = TlsFixture.ca("prod");
    static final NodeMaterial N1 = TlsFixture.node(CA, "n1");

    @TempDir
    Path dir;
    Path ca;
    Path cert;
    Path key;

    @BeforeEach
    void writeGoodMaterial() throws Exception {
        ca = dir.resolve("ca.pem");
        cert = dir.resolve("n1.pem");
        key = dir.resolve("n1.key");
        PemFiles.writeCertificates(ca, List.of(CA.cert()), true);
        PemFiles.writeCertificates(cert, List.of(N1.cert()), true);
        PemFiles.writePrivateKey(key, N1.key(), true);
    }

    TlsMaterial load(String nodeId, Clock clock) throws TlsSettings.Problem {
        return TlsMaterial.load(new TlsSettings(ca, cert, key, false), nodeId, MEMBERS, clock);
    }

    /** Loading as n1 at T0 fails for {@code tlsKey}'s {@code file}; returns the message. */
    String refused(String tlsKey, Path file) {
        return refused(tlsKey, file, "n1", at(T0));
    }

    String refused(String tlsKey, Path file, String nodeId, Clock clock) {
        TlsSettings.Problem p = assertThrows(TlsSettings.Problem.class, () -> load(nodeId, clock));
        assertEquals(tlsKey, p.key(), p.getMessage());
        assertTrue(p.getMessage().startsWith(file.toString()), p.getMessage());
        assertNoKeyMaterial(p.getMessage());
        return p.getMessage();
    }

    /** No PEM key block and no run of the key's base64 (of this node's key or any other used here). */
    static void assertNoKeyMaterial(String message) {
        assertFalse(message.contains("BEGIN"), message);
        assertFalse(message.contains("PRIVATE KEY-----"), message);
        for (NodeMaterial m : List.of(N1, OTHER_KEY)) {
            String b64 = Base64.getEncoder().encodeToString(m.key().getEncoded());
            for (int i = 0; i + 12 <= b64.length(); i += 4) {
                assertFalse(message.contains(b64.substring(i, i + 12)), message);
            }
        }
    }

    static final NodeMaterial OTHER_KEY = TlsFixture.node(CA, "n1");

    @Test
    void goodMaterialLoads() throws Exception {
        TlsMaterial m = load("n1", at(T0));
        assertEquals("n1", m.nodeId());
        assertEquals(List.of(CA.cert()), m.authorities());
        assertEquals(N1.cert(), m.certificate());
        assertEquals(N1.key(), m.key());
        assertEquals(T0.plus(TlsFixture.NODE_VALIDITY), m.certificateExpires());
        assertEquals(T0.plus(Duration.ofDays(365)), m.authorityExpires());
        // the loader the daemon uses is the same check
        assertEquals(N1.cert(), TlsMaterial.loader(at(T0)).load(new TlsSettings(ca, cert, key, false), "n1",
                MEMBERS).certificate());
    }

    @Test
    void aKeyOthersCanReadIsRefused() throws Exception {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String m = refused("tls.key", key);
        assertTrue(m.contains("mode 0644"), m);
    }

    @Test
    void aCaFileHoldingANodeCertificateIsRefused() throws Exception {
        PemFiles.writeCertificates(ca, List.of(N1.cert()), true);
        String m = refused("tls.ca", ca);
        assertTrue(m.contains("'CN=n1' is not a CA certificate"), m);
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() throws Exception {
        NodeMaterial foreign = TlsFixture.node(TlsFixture.ca("other"), "n1");
        PemFiles.writeCertificates(cert, List.of(foreign.cert()), true);
        PemFiles.writePrivateKey(key, foreign.key(), true);
        String m = refused("tls.cert", cert);
        assertTrue(m.contains("not a valid certificate of the cluster CA"), m);
        assertTrue(m.contains("(by the CA in " + ca + ")"), m);
    }

    @Test
    void anExpiredCertificateIsRefused() {
        String m = refused("tls.cert", cert, "n1", at(T0.plus(TlsFixture.NODE_VALIDITY).plusSeconds(1)));
        assertTrue(m.contains("expired on " + T0.plus(TlsFixture.NODE_VALIDITY)), m);
    }

    @Test
    void aCertificateNotYetValidIsRefused() {
        // certificates start an hour before they are issued
        String m = refused("tls.cert", cert, "n1", at(T0.minus(Duration.ofHours(2))));
        assertTrue(m.contains("not valid before " + T0.minus(Duration.ofHours(1))), m);
    }

    @Test
    void aCertificateNamingAnotherMemberIsRefused() {
        String m = refused("tls.cert", cert, "n2", at(T0));
        assertTrue(m.contains("names [n1], not this node's id 'n2'"), m);
    }

    @Test
    void aCertificateNamingTwoMembersIsRefused() throws Exception {
        NodeMaterial both = TlsFixture.node(CA, "n1", "n2");
        PemFiles.writeCertificates(cert, List.of(both.cert()), true);
        PemFiles.writePrivateKey(key, both.key(), true);
        String m = refused("tls.cert", cert);
        assertTrue(m.contains("not this node's id 'n1' (alone among the members [n1, n2, n3])"), m);
    }

    @Test
    void theKeyOfAnotherCertificateIsRefused() throws Exception {
        PemFiles.writePrivateKey(key, OTHER_KEY.key(), true);
        String m = refused("tls.key", key);
        assertEquals(key + ": is not the private key of the certificate in " + cert, m);
    }

    @Test
    void garbageInAnyFileIsRefusedForThatFile() throws Exception {
        Files.writeString(ca, "not a certificate\n");
        assertTrue(refused("tls.ca", ca).contains("no certificate found"));
        writeGoodMaterial();
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nAAAA!!\n-----END CERTIFICATE-----\n");
        assertTrue(refused("tls.cert", cert).contains("not valid PEM"));
        writeGoodMaterial();
        Files.write(key, new byte[] {0, 1, 2, (byte) 0xff, '\n'});
        assertTrue(refused("tls.key", key).contains("no private key found"));
        Files.delete(key);
        assertEquals(key + ": no such file", refused("tls.key", key));
    }

    @Test
    void aKeyInTheCertificateOrCaFileIsRefusedWithoutQuotingIt() throws Exception {
        Files.delete(cert);
        Files.copy(key, cert);
        assertTrue(refused("tls.cert", cert).contains("holds a private key"));
        Files.delete(ca);
        Files.copy(key, ca);
        assertTrue(refused("tls.ca", ca).contains("holds a private key"));
    }

    @Test
    void aTruncatedKeyIsRefusedWithoutQuotingIt() throws Exception {
        String pem = Files.readString(key);
        String truncated = pem.substring(0, pem.length() / 2) + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, truncated);
        String m = refused("tls.key", key);
        assertTrue(m.contains("not valid PEM"), m);
    }

    @Test
    void aChainWithTheCaAfterTheLeafLoads() throws Exception {
        PemFiles.writeCertificates(cert, List.<X509Certificate>of(N1.cert(), CA.cert()), true);
        assertEquals(2, load("n1", at(T0)).chain().size());
    }
}
