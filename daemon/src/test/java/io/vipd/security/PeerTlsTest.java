package io.vipd.security;

import static io.vipd.security.TlsFixture.CLUSTER;
import static io.vipd.security.TlsFixture.T0;
import static io.vipd.security.TlsFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.Peer;
import io.vipd.config.VipdConfig;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** What status and the journal say about this node's TLS material, and when they warn of expiry. */
class PeerTlsTest {
    static final CaMaterial CA = TlsFixture.ca("prod"); // until T0 + 365 days
    static final NodeMaterial N1 = TlsFixture.node(CA, "n1"); // until T0 + 90 days
    static final Instant CERT_END = T0.plus(TlsFixture.NODE_VALIDITY);

    static PeerTls at(Instant now) {
        return at(now, TlsFixture.material(CA, N1, "n1"));
    }

    static PeerTls at(Instant now, TlsMaterial material) {
        return new PeerTls(material, CLUSTER, TlsFixture.at(now), () -> 0L);
    }

    @Test
    void describeNamesTheNodeBothExpiriesAndTheRefusals() throws Exception {
        PeerTls tls = at(T0);
        assertEquals("mutual TLS: certificate of n1 valid until 2031-04-01T00:00:00Z (90 days left), cluster CA "
                + "until 2032-01-01T00:00:00Z (365 days left); 0 peer(s) refused since start", tls.describe());
        X509Certificate[] rogue = {TlsFixture.node(TlsFixture.ca("rogue"), "n2").cert()};
        assertThrows(CertificateException.class, () -> tls.trust().checkClientTrusted(rogue, "UNKNOWN",
                (SSLEngine) null));
        assertEquals("mutual TLS: certificate of n1 valid until 2031-04-01T00:00:00Z (90 days left), cluster CA "
                + "until 2032-01-01T00:00:00Z (365 days left); 1 peer(s) refused since start", tls.describe());
    }

    @Test
    void describeSaysExpiredFromTheFirstSecondOn() {
        assertEquals("mutual TLS: certificate of n1 valid until 2031-04-01T00:00:00Z (0 days left), cluster CA "
                + "until 2032-01-01T00:00:00Z (275 days left); 0 peer(s) refused since start",
                at(CERT_END.minusSeconds(1)).describe());
        assertEquals("mutual TLS: certificate of n1 valid until 2031-04-01T00:00:00Z (expired), cluster CA "
                + "until 2032-01-01T00:00:00Z (274 days left); 0 peer(s) refused since start",
                at(CERT_END.plusSeconds(1)).describe());
        assertEquals("mutual TLS: certificate of n1 valid until 2031-04-01T00:00:00Z (expired), cluster CA "
                + "until 2032-01-01T00:00:00Z (expired); 0 peer(s) refused since start",
                at(T0.plus(Duration.ofDays(365)).plusSeconds(1)).describe());
    }

    @Test
    void describeShowsTheMaterialOfTheLastUpdate() {
        PeerTls tls = at(T0);
        TlsMaterial renewed = TlsFixture.material(CA, TlsFixture.ISSUER.issueNode(CA, "n1", List.of(),
                Duration.ofDays(10)), "n1");
        tls.update(renewed);
        assertSame(renewed, tls.material());
        assertEquals("mutual TLS: certificate of n1 valid until 2031-01-11T00:00:00Z (10 days left), cluster CA "
                + "until 2032-01-01T00:00:00Z (365 days left); 0 peer(s) refused since start", tls.describe());
    }

    @Test
    void noWarningWithMoreThan30DaysLeft() {
        assertEquals(Optional.empty(), at(T0).expiryWarning());
        assertEquals(Optional.empty(), at(CERT_END.minus(Duration.ofDays(31))).expiryWarning());
    }

    @Test
    void theCertificateIsWarnedAboutWithin30Days() {
        assertEquals(Optional.of("this node's TLS certificate expires 2031-04-01T00:00:00Z (29 days left): issue a "
                + "new one with 'vipctl cert node' and 'systemctl reload vipd'; once it expires, the other members "
                + "refuse this node"), at(CERT_END.minus(Duration.ofDays(29))).expiryWarning());
        assertEquals(Optional.of("this node's TLS certificate expires 2031-04-01T00:00:00Z (expired): issue a "
                + "new one with 'vipctl cert node' and 'systemctl reload vipd'; once it expires, the other members "
                + "refuse this node"), at(CERT_END.plus(Duration.ofDays(2))).expiryWarning());
    }

    @Test
    void aCaExpiringBeforeTheCertificateIsWarnedAbout() {
        // a bundle in rotation: the old CA ends in 40 days, this node's certificate is of the new one
        CaMaterial old = TlsFixture.ISSUER.newCa("prod", Duration.ofDays(40));
        CaMaterial next = TlsFixture.ca("prod");
        TlsMaterial material = TlsFixture.material(List.of(next, old), TlsFixture.node(next, "n1"), "n1");
        assertEquals(T0.plus(Duration.ofDays(40)), material.authorityExpires());
        assertEquals(Optional.empty(), at(T0.plus(Duration.ofDays(9)), material).expiryWarning());
        assertEquals(Optional.of("the cluster CA expires 2031-02-10T00:00:00Z (29 days left): create a new CA, "
                + "add it to every node's tls.ca bundle, reload, then issue new node certificates"),
                at(T0.plus(Duration.ofDays(11)), material).expiryWarning());
    }

    @Test
    void aCertificateExpiringWithItsCaIsWarnedAboutAsTheCertificate() {
        // vipctl cert node ends a certificate with its CA: both expire at once, the certificate is what to renew
        CaMaterial shortCa = TlsFixture.ISSUER.newCa("prod", Duration.ofDays(20));
        TlsMaterial material = TlsFixture.material(shortCa, TlsFixture.node(shortCa, "n1"), "n1");
        assertEquals(material.authorityExpires(), material.certificateExpires());
        String warning = at(T0, material).expiryWarning().orElseThrow();
        assertTrue(warning.startsWith("this node's TLS certificate expires 2031-01-21T00:00:00Z (20 days left): "),
                warning);
    }

    @Test
    void membersMapsEachPeersAddressToItsId() {
        VipdConfig config = new VipdConfig(Path.of("/etc/vipd/vipd.conf"), "n1", "prod", Path.of("/var/lib/vipd"),
                Path.of("/run/vipd.sock"), List.of(new Peer("n1", "198.18.0.1", 7400), new Peer("n2", "198.18.0.2",
                7400), new Peer("n3", "node3.example", 7401)), List.of(), null, null);
        PeerTrust.Members m = PeerTls.members(config);
        assertEquals(List.of("n1", "n2", "n3"), List.copyOf(m.ids()));
        assertEquals(Map.of("198.18.0.1:7400", "n1", "198.18.0.2:7400", "n2", "node3.example:7401", "n3"),
                m.idByAddress());
    }

    @Test
    void theTrustFollowsTheMembershipAndAdmitsTheMembersOfAChangeForAWhile() {
        long[] nanos = {0};
        PeerTls tls = new PeerTls(TlsFixture.material(CA, N1, "n1"), CLUSTER, TlsFixture.at(T0), () -> nanos[0]);
        X509Certificate n4 = TlsFixture.node(CA, "n4").cert();
        X509Certificate n2 = TlsFixture.node(CA, "n2").cert();
        assertEquals(null, tls.trust().memberOf(n4), "not a member");
        tls.admit("n4", "198.18.0.4:7400"); // a membership change that adds n4 reached this node
        assertEquals("n4", tls.trust().memberOf(n4));
        assertEquals("n2", tls.trust().memberOf(n2));
        nanos[0] = PeerTls.ADMITTED_NANOS + 1; // the change never committed
        assertEquals(null, tls.trust().memberOf(n4));
        tls.membership(List.of(new Peer("n1", "198.18.0.1", 7400), new Peer("n3", "198.18.0.3", 7400),
                new Peer("n4", "198.18.0.4", 7400)));
        assertEquals("n4", tls.trust().memberOf(n4), "a member now");
        assertEquals(null, tls.trust().memberOf(n2), "removed: refused from now on");
    }
}
