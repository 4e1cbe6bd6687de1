package io.vipd.security;

import static io.vipd.security.TlsFixture.CLUSTER;
import static io.vipd.security.TlsFixture.T0;
import static io.vipd.security.TlsFixture.at;
import static io.vipd.security.TlsFixture.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.Socket;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Which peers a node talks Raft with: members of the cluster CA, and on the way out the member it dialled. */
class PeerTrustTest {
    static final CaMaterial CA = TlsFixture.ca("prod");
    static final NodeMaterial N1 = node(CA, "n1");
    static final NodeMaterial N2 = node(CA, "n2");
    static final NodeMaterial N3 = node(CA, "n3");

    static PeerTls tls(Clock clock) {
        return new PeerTls(TlsFixture.material(CA, N1, "n1"), CLUSTER, clock, () -> 0L);
    }

    static X509Certificate[] chain(NodeMaterial m) {
        return new X509Certificate[] {m.cert()};
    }

    /** A real engine of a connection to host:port, as gRPC's client makes it. */
    static SSLEngine dialled(String host, int port) throws Exception {
        return SSLContext.getDefault().createSSLEngine(host, port);
    }

    /** Every way the TLS stack asks about a client (incoming) and a server (outgoing, dialled at n2's address). */
    static void trustedBothWays(PeerTrust trust, X509Certificate[] chain) throws Exception {
        trust.checkClientTrusted(chain, "UNKNOWN", (SSLEngine) null);
        trust.checkClientTrusted(chain, "UNKNOWN", dialled("198.18.0.9", 51234));
        trust.checkClientTrusted(chain, "UNKNOWN", (Socket) null);
        trust.checkClientTrusted(chain, "UNKNOWN");
        trust.checkServerTrusted(chain, "UNKNOWN", (SSLEngine) null);
        trust.checkServerTrusted(chain, "UNKNOWN", (Socket) null);
        trust.checkServerTrusted(chain, "UNKNOWN");
    }

    /** Refused as client and as server; returns the reason, which is the same both ways. */
    static String refusedBothWays(PeerTrust trust, X509Certificate[] chain) throws Exception {
        String asClient = assertThrows(CertificateException.class,
                () -> trust.checkClientTrusted(chain, "UNKNOWN", (SSLEngine) null)).getMessage();
        String asServer = assertThrows(CertificateException.class,
                () -> trust.checkServerTrusted(chain, "UNKNOWN", dialled("198.18.0.2", 7400))).getMessage();
        assertEquals(asClient, asServer);
        return asClient;
    }

    @Test
    void aMemberOfTheClusterCaIsTrustedAsClientAndServer() throws Exception {
        PeerTls tls = tls(at(T0));
        trustedBothWays(tls.trust(), chain(N2));
        tls.trust().checkServerTrusted(chain(N2), "UNKNOWN", dialled("198.18.0.2", 7400));
        tls.trust().checkServerTrusted(chain(N3), "UNKNOWN", dialled("198.18.0.3", 7400));
        // with the CA in the chain, as a peer may send it
        tls.trust().checkClientTrusted(new X509Certificate[] {N2.cert(), CA.cert()}, "UNKNOWN", (SSLEngine) null);
        assertEquals("n2", tls.trust().memberOf(N2.cert()));
        assertArrayEquals(new X509Certificate[] {CA.cert()}, tls.trust().getAcceptedIssuers());
        assertEquals(0, tls.refusals().total());
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() throws Exception {
        PeerTls tls = tls(at(T0));
        String why = refusedBothWays(tls.trust(), chain(node(TlsFixture.ca("rogue"), "n2")));
        assertTrue(why.startsWith("not a valid certificate of the cluster CA"), why);
        assertEquals(2, tls.refusals().total());
    }

    @Test
    void aClusterCertificateOfANonMemberIsRefused() throws Exception {
        PeerTls tls = tls(at(T0));
        X509Certificate[] n9 = chain(node(CA, "n9"));
        assertEquals("certificate names [n9]: no single member of [n1, n2, n3]", refusedBothWays(tls.trust(), n9));
        assertNull(tls.trust().memberOf(n9[0]));
        assertEquals(2, tls.refusals().total());
    }

    @Test
    void aCertificateNamingTwoMembersIsRefused() throws Exception {
        PeerTls tls = tls(at(T0));
        X509Certificate[] both = chain(node(CA, "n2", "n3"));
        assertEquals("certificate names [n2, n3]: no single member of [n1, n2, n3]",
                refusedBothWays(tls.trust(), both));
        assertNull(tls.trust().memberOf(both[0]));
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRefusedAtTheClocksTime() throws Exception {
        PeerTls later = tls(at(T0.plus(TlsFixture.NODE_VALIDITY).plusSeconds(1)));
        String why = refusedBothWays(later.trust(), chain(N2));
        assertTrue(why.startsWith("not a valid certificate of the cluster CA") && why.contains("expired"), why);
        PeerTls earlier = tls(at(T0.minus(Duration.ofHours(2))));
        why = refusedBothWays(earlier.trust(), chain(N2));
        assertTrue(why.contains("not yet valid"), why);
    }

    @Test
    void anOutgoingConnectionMustReachTheMemberConfiguredAtTheDialledAddress() throws Exception {
        PeerTls tls = tls(at(T0));
        CertificateException e = assertThrows(CertificateException.class,
                () -> tls.trust().checkServerTrusted(chain(N3), "UNKNOWN", dialled("198.18.0.2", 7400)));
        assertEquals("198.18.0.2:7400 is configured as n2 but presented the certificate of n3", e.getMessage());
        // the port is part of the address
        tls.trust().checkServerTrusted(chain(N3), "UNKNOWN", dialled("198.18.0.2", 7401));
        assertEquals(1, tls.refusals().total());
    }

    @Test
    void refusalsAreCountedAndLoggedWithWhereTheyHappened() throws Exception {
        PeerTls tls = tls(at(T0));
        X509Certificate[] n9 = chain(node(CA, "n9"));
        try (LogCapture log = new LogCapture()) {
            assertThrows(CertificateException.class,
                    () -> tls.trust().checkServerTrusted(chain(N3), "UNKNOWN", dialled("198.18.0.2", 7400)));
            assertThrows(CertificateException.class,
                    () -> tls.trust().checkClientTrusted(n9, "UNKNOWN", dialled("198.18.0.7", 40000)));
            // a server's engine knows no peer host (Netty makes it so): the line must not say "from null"
            assertThrows(CertificateException.class, () -> tls.trust().checkClientTrusted(n9, "UNKNOWN",
                    SSLContext.getDefault().createSSLEngine()));
            // the same peer for another reason: logged once; that reason again within the minute: counted only
            assertThrows(CertificateException.class, () -> tls.trust().checkClientTrusted(null, "UNKNOWN"));
            assertThrows(CertificateException.class, () -> tls.trust().checkClientTrusted(null, "UNKNOWN"));
            assertEquals(List.of(
                    "refused Raft peer 198.18.0.2:7400: 198.18.0.2:7400 is configured as n2 but presented the "
                            + "certificate of n3",
                    "refused Raft peer incoming from 198.18.0.7: certificate names [n9]: no single member of "
                            + "[n1, n2, n3]",
                    "refused Raft peer incoming: certificate names [n9]: no single member of [n1, n2, n3]",
                    "refused Raft peer incoming: no certificate"),
                    log.lines());
        }
        assertEquals(5, tls.refusals().total());
    }

    @Test
    void aCertificateNotMeantForTheRoleIsRefused() throws Exception {
        PeerTls tls = tls(at(T0));
        X509Certificate[] serverOnly = {withOnlyServerAuth("n2")};
        tls.trust().checkServerTrusted(serverOnly, "UNKNOWN", dialled("198.18.0.2", 7400));
        CertificateException e = assertThrows(CertificateException.class,
                () -> tls.trust().checkClientTrusted(serverOnly, "UNKNOWN", (SSLEngine) null));
        assertEquals("certificate of [n2] is not for TLS clients", e.getMessage());
    }

    /** A certificate of the CA naming {@code id} whose extended key usage allows TLS servers only. */
    static X509Certificate withOnlyServerAuth(String id) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(CA.cert().getSubjectX500Principal().getEncoded()), BigInteger.TEN,
                Date.from(T0.minusSeconds(60)), Date.from(T0.plus(Duration.ofDays(1))), new X500Name("CN=" + id),
                g.generateKeyPair().getPublic());
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(CA.key())));
    }

    @Test
    void aRotatedCaBundleTakesEffectWithTheNextHandshake() throws Exception {
        PeerTls tls = tls(at(T0));
        CaMaterial next = TlsFixture.ca("prod");
        X509Certificate[] n2New = chain(node(next, "n2"));
        refusedBothWays(tls.trust(), n2New);
        tls.update(TlsFixture.material(List.of(CA, next), N1, "n1"));
        trustedBothWays(tls.trust(), n2New);
        trustedBothWays(tls.trust(), chain(N2)); // certificates of the old CA still pass until it is removed
        assertArrayEquals(new X509Certificate[] {CA.cert(), next.cert()}, tls.trust().getAcceptedIssuers());
        tls.update(TlsFixture.material(next, node(next, "n1"), "n1"));
        trustedBothWays(tls.trust(), n2New);
        refusedBothWays(tls.trust(), chain(N2));
    }
}
