package io.vipd.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final CaMaterial CA = ISSUER.newCa("test", Duration.ofDays(30));
    static final NodeMaterial N1 = ISSUER.issueNode(CA, "n1", List.of("198.18.0.1"), Duration.ofDays(30));

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Reading fails with exactly {@code message}: one line, the file first, nothing of the content. */
    static void assertRefused(String message, PemFilesTest.Read read) {
        IOException e = assertThrows(IOException.class, read::run);
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    interface Read {
        void run() throws IOException;
    }

    @Test
    void certificatesAndKeysRoundTrip(@TempDir Path dir) throws Exception {
        Path certs = dir.resolve("chain.pem");
        PemFiles.writeCertificates(certs, List.of(N1.cert(), CA.cert()));
        assertEquals(List.of(N1.cert(), CA.cert()), PemFiles.readCertificates(certs));
        assertEquals("rw-r--r--", mode(certs));
        assertTrue(Files.readString(certs).startsWith("-----BEGIN CERTIFICATE-----\n"));

        Path key = dir.resolve("n1.key");
        PemFiles.writePrivateKey(key, N1.key());
        assertEquals("rw-------", mode(key));
        String text = Files.readString(key);
        assertTrue(text.startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8, which the JDK and Netty read");
        PrivateKey back = PemFiles.readPrivateKey(key);
        assertArrayEquals(N1.key().getEncoded(), back.getEncoded());
        assertTrue(signsFor(back, "SHA256withECDSA", N1.cert().getPublicKey()), "the key read back is N1's");
    }

    @Test
    void existingFilesAreReplacedOnlyWithForceAndAKeyNeverWidens(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("n1.key");
        Files.writeString(key, "old");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertRefused(key + ": already exists (use --force to replace it)", () -> PemFiles.writePrivateKey(key,
                N1.key()));
        assertEquals("old", Files.readString(key), "untouched");
        PemFiles.writePrivateKey(key, N1.key(), true);
        assertEquals("rw-------", mode(key), "a forced write is a new 0600 file, not the old 0644 one rewritten");
        assertArrayEquals(N1.key().getEncoded(), PemFiles.readPrivateKey(key).getEncoded());
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(key), listing.toList(), "no temporary file left behind");
        }

        Path cert = dir.resolve("n1.pem");
        PemFiles.writeCertificates(cert, List.of(CA.cert()));
        assertRefused(cert + ": already exists (use --force to replace it)",
                () -> PemFiles.writeCertificates(cert, List.of(N1.cert())));
        assertEquals(List.of(CA.cert()), PemFiles.readCertificates(cert));
        PemFiles.writeCertificates(cert, List.of(N1.cert()), true);
        assertEquals(List.of(N1.cert()), PemFiles.readCertificates(cert));

        Path link = dir.resolve("dangling.key");
        Files.createSymbolicLink(link, dir.resolve("elsewhere"));
        assertRefused(link + ": already exists (use --force to replace it)", () -> PemFiles.writePrivateKey(link,
                N1.key()));
        assertFalse(Files.exists(dir.resolve("elsewhere")), "not written through a symlink");
    }

    @Test
    void aWriteIntoAMissingDirectoryNamesTheFile(@TempDir Path dir) {
        Path key = dir.resolve("no/such/dir/n1.key");
        assertRefused(key + ": cannot write: no such file or directory", () -> PemFiles.writePrivateKey(key,
                N1.key()));
    }

    @Test
    void certificateReadErrorsNameTheFileAndTheProblem(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertRefused(missing + ": no such file", () -> PemFiles.readCertificates(missing));
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        assertRefused(empty + ": no certificate found (expected a PEM 'CERTIFICATE' block)",
                () -> PemFiles.readCertificates(empty));
        Path garbage = Files.write(dir.resolve("garbage.pem"), new byte[] {0, (byte) 0xff, 'x', '\n', 7});
        assertRefused(garbage + ": no certificate found (expected a PEM 'CERTIFICATE' block)",
                () -> PemFiles.readCertificates(garbage));
        Path badBase64 = Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n");
        assertRefused(badBase64 + ": not valid PEM (a block is truncated, or its base64 or DER content does not "
                + "decode)", () -> PemFiles.readCertificates(badBase64));
        String body = Base64.getMimeEncoder().encodeToString(N1.cert().getEncoded());
        Path truncated = Files.writeString(dir.resolve("truncated.pem"), "-----BEGIN CERTIFICATE-----\n"
                + body.substring(0, body.length() / 2) + "\n");
        assertRefused(truncated + ": not valid PEM (a block is truncated, or its base64 or DER content does not "
                + "decode)", () -> PemFiles.readCertificates(truncated));
        Path notACert = Files.writeString(dir.resolve("notacert.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder().encodeToString("hello, not DER".getBytes(StandardCharsets.US_ASCII))
                + "\n-----END CERTIFICATE-----\n");
        assertRefused(notACert + ": not valid PEM (a block is truncated, or its base64 or DER content does not "
                + "decode)", () -> PemFiles.readCertificates(notACert));
        Path key = dir.resolve("n1.key");
        PemFiles.writePrivateKey(key, N1.key());
        assertRefused(key + ": holds a private key, not only certificates (expected PEM 'CERTIFICATE' blocks)",
                () -> PemFiles.readCertificates(key));
        assertRefused(dir + ": is a directory, not a PEM file", () -> PemFiles.readCertificates(dir));
        Path huge = Files.write(dir.resolve("huge.pem"), new byte[(int) PemFiles.MAX_SIZE + 1]);
        assertRefused(huge + ": larger than 1 MiB, not a PEM file of certificates or a key",
                () -> PemFiles.readCertificates(huge));
    }

    @Test
    void keyReadErrorsNameTheFileAndNeverQuoteIt(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("n1.key");
        assertRefused(missing + ": no such file", () -> PemFiles.readPrivateKey(missing));
        Path cert = dir.resolve("n1.pem");
        PemFiles.writeCertificates(cert, List.of(N1.cert()));
        assertRefused(cert + ": no private key found (expected a PEM 'PRIVATE KEY' block)",
                () -> PemFiles.readPrivateKey(cert));
        Path secret = Files.writeString(dir.resolve("secret.key"), "hunter2-very-secret\n");
        assertRefused(secret + ": no private key found (expected a PEM 'PRIVATE KEY' block)",
                () -> PemFiles.readPrivateKey(secret));
        Path two = dir.resolve("two.key");
        Files.writeString(two, pem(new JcaPKCS8Generator(N1.key(), null)) + pem(new JcaPKCS8Generator(CA.key(),
                null)));
        assertRefused(two + ": holds more than one private key (expected exactly one)",
                () -> PemFiles.readPrivateKey(two));
        // a corrupted key block: the message says so without the base64 that is in the file
        String body = Base64.getMimeEncoder().encodeToString(N1.key().getEncoded());
        Path corrupt = Files.writeString(dir.resolve("corrupt.key"), "-----BEGIN PRIVATE KEY-----\n"
                + body.substring(0, 40) + "\n-----END PRIVATE KEY-----\n");
        IOException e = assertThrows(IOException.class, () -> PemFiles.readPrivateKey(corrupt));
        assertTrue(e.getMessage().startsWith(corrupt + ": "), e.getMessage());
        assertFalse(e.getMessage().contains(body.substring(0, 20)), e.getMessage());
    }

    /** A file OpenSSL made (see the README beside them). */
    static Path openssl(String name) throws Exception {
        return Path.of(PemFilesTest.class.getResource(name).toURI());
    }

    @Test
    void encryptedKeysAreRefusedInBothForms() throws Exception {
        String refusal = ": encrypted private keys are not supported (decrypt it, e.g. openssl pkey -in KEY -out "
                + "KEY.plain, and keep it mode 0600)";
        Path pkcs8 = openssl("enc8.key"); // ENCRYPTED PRIVATE KEY
        assertRefused(pkcs8 + refusal, () -> PemFiles.readPrivateKey(pkcs8));
        Path legacy = openssl("legacy.key"); // EC PRIVATE KEY with Proc-Type: 4,ENCRYPTED
        assertTrue(Files.readString(legacy).contains("Proc-Type: 4,ENCRYPTED"));
        assertRefused(legacy + refusal, () -> PemFiles.readPrivateKey(legacy));
    }

    @Test
    void opensslKeysAndCertificatesAreRead(@TempDir Path dir) throws Exception {
        // as 'openssl ecparam -genkey' writes it: EC PARAMETERS, then EC PRIVATE KEY
        PrivateKey ec = PemFiles.readPrivateKey(openssl("ecparam.key"));
        assertEquals("EC", ec.getAlgorithm());
        X509Certificate cert = PemFiles.readCertificates(openssl("cert.pem")).get(0);
        assertEquals(java.util.Set.of("n7", "n7.example"), NodeNames.of(cert));
        assertTrue(signsFor(ec, "SHA256withECDSA", cert.getPublicKey()), "the key is the certificate's");
        PrivateKey rsa = PemFiles.readPrivateKey(openssl("rsa.key")); // RSA PRIVATE KEY
        assertEquals("RSA", rsa.getAlgorithm());
        assertEquals(1024, ((java.security.interfaces.RSAPrivateKey) rsa).getModulus().bitLength());
        // what vipd writes back is PKCS#8, and reads as the same key
        Path again = dir.resolve("ec.key");
        PemFiles.writePrivateKey(again, ec);
        assertTrue(Files.readString(again).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertArrayEquals(ec.getEncoded(), PemFiles.readPrivateKey(again).getEncoded());
        // a combined file (certificate and key) gives its key
        Path combined = Files.writeString(dir.resolve("combined.pem"), pem(N1.cert()) + pem(new JcaPKCS8Generator(
                N1.key(), null)));
        assertArrayEquals(N1.key().getEncoded(), PemFiles.readPrivateKey(combined).getEncoded());
        List<X509Certificate> none = List.of();
        assertThrows(IllegalArgumentException.class, () -> PemFiles.writeCertificates(dir.resolve("x.pem"), none));
    }

    static boolean signsFor(PrivateKey key, String algorithm, java.security.PublicKey pub) throws Exception {
        java.security.Signature s = java.security.Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(pub);
        s.update(new byte[] {1, 2, 3});
        return s.verify(sig);
    }

    static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}
