package io.vipd.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The material does what it is for: two nodes, each with the files vipctl cert writes, complete a mutual TLS 1.3
 * handshake with the JDK's own key and trust managers (PKIX, EKU and, on the client, address checks), and each
 * side identifies the other with {@link NodeNames}. Loopback only.
 */
class MutualTlsHandshakeTest {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final List<String> CLUSTER = List.of("n1", "n2", "n3");

    /** An SSLContext built from the three PEM files of a node, as the daemon will build it. */
    static SSLContext context(Path ca, Path cert, Path key) throws Exception {
        KeyFilePermissions.check(key);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] none = new char[0];
        ks.setKeyEntry("node", PemFiles.readPrivateKey(key), none,
                PemFiles.readCertificates(cert).toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, none);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.readCertificates(ca).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static Path[] files(Path dir, CaMaterial ca, String id, String address) throws IOException {
        NodeMaterial m = ISSUER.issueNode(ca, id, List.of(address), Duration.ofDays(1));
        Path caFile = dir.resolve(id + "-ca.pem");
        Path cert = dir.resolve(id + ".pem");
        Path key = dir.resolve(id + ".key");
        PemFiles.writeCertificates(caFile, List.of(ca.cert()));
        PemFiles.writeCertificates(cert, List.of(m.cert()));
        PemFiles.writePrivateKey(key, m.key());
        return new Path[] {caFile, cert, key};
    }

    /** Server n1 on 127.0.0.1 requires a client certificate; returns the node id each side saw in the other. */
    static String[] handshake(SSLContext server, SSLContext client) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<String> serverSaw = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    return nodeId(s.getSession().getPeerCertificates()[0]);
                } catch (IOException e) {
                    return "failed: " + e;
                }
            });
            String clientSaw;
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket()) {
                // the client checks that the server's certificate names the address it dialled (an iPAddress SAN)
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 10_000);
                s.setSoTimeout(10_000);
                s.startHandshake();
                // TLS 1.3 sends the server's verdict on the client certificate after the handshake: read to see it
                int b = s.getInputStream().read();
                clientSaw = nodeId(s.getSession().getPeerCertificates()[0]) + (b == 1 ? "" : " read " + b);
            }
            // only now: the server's close waits for the client's close_notify
            return new String[] {serverSaw.get(10, TimeUnit.SECONDS), clientSaw};
        }
    }

    static String nodeId(Certificate c) {
        Optional<String> id = NodeNames.nodeIdIn((X509Certificate) c, CLUSTER);
        return id.orElse("(none)");
    }

    @Test
    void twoNodesOfOneCaAuthenticateEachOther(@TempDir Path dir) throws Exception {
        CaMaterial ca = ISSUER.newCa("prod", Duration.ofDays(10));
        Path[] n1 = files(dir, ca, "n1", "127.0.0.1");
        Path[] n2 = files(dir, ca, "n2", "127.0.0.2");
        String[] saw = handshake(context(n1[0], n1[1], n1[2]), context(n2[0], n2[1], n2[2]));
        assertEquals("n2", saw[0], "the server identified its client");
        assertEquals("n1", saw[1], "the client identified its server");
    }

    @Test
    void aClientFromAnotherClusterIsRejectedByTheServer(@TempDir Path dir) throws Exception {
        CaMaterial ca = ISSUER.newCa("prod", Duration.ofDays(10));
        CaMaterial rogue = ISSUER.newCa("rogue", Duration.ofDays(10));
        Path[] n1 = files(dir, ca, "n1", "127.0.0.1");
        Path[] intruder = files(java.nio.file.Files.createDirectory(dir.resolve("rogue")), rogue, "n2", "127.0.0.2");
        // the intruder trusts prod's CA so that only the server's check of the client can fail
        SSLContext client = context(n1[0], intruder[1], intruder[2]);
        assertThrows(SSLException.class, () -> {
            String[] saw = handshake(context(n1[0], n1[1], n1[2]), client);
            throw new AssertionError("handshake passed: server saw " + saw[0]);
        });
    }

    @Test
    void aServerWhoseCertificateDoesNotNameTheDialledAddressIsRejected(@TempDir Path dir) throws Exception {
        CaMaterial ca = ISSUER.newCa("prod", Duration.ofDays(10));
        Path[] n1 = files(dir, ca, "n1", "198.18.0.1"); // not 127.0.0.1
        Path[] n2 = files(dir, ca, "n2", "127.0.0.2");
        assertThrows(SSLException.class, () -> handshake(context(n1[0], n1[1], n1[2]), context(n2[0], n2[1],
                n2[2])));
    }
}
