package io.vipd.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.Test;

class CertificateIssuerTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final CertificateIssuer ISSUER = new CertificateIssuer(Clock.fixed(NOW, ZoneOffset.UTC));
    static final CaMaterial CA = ISSUER.newCa("prod", Duration.ofDays(3650));

    @Test
    void caIsASelfSignedP256CaForCertificatesOnly() throws Exception {
        X509Certificate ca = CA.cert();
        assertEquals("CN=vipd cluster CA prod", ca.getSubjectX500Principal().getName());
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        ca.verify(ca.getPublicKey()); // self-signed
        assertEquals("SHA256withECDSA", ca.getSigAlgName());
        assertEquals(256, ((ECPublicKey) ca.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals("EC", CA.key().getAlgorithm());
        assertEquals(0, ca.getBasicConstraints(), "CA:true, pathlen 0");
        boolean[] ku = ca.getKeyUsage();
        assertTrue(ku[5] && ku[6], "keyCertSign and cRLSign");
        assertFalse(ku[0] || ku[2], "not for TLS itself");
        assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of(Extension.basicConstraints.getId(),
                Extension.keyUsage.getId())));
        assertNotNull(ca.getExtensionValue(Extension.subjectKeyIdentifier.getId()));
        assertEquals(Date.from(NOW.minus(Duration.ofHours(1))), ca.getNotBefore(), "an hour of clock skew");
        assertEquals(Date.from(NOW.plus(Duration.ofDays(3650))), ca.getNotAfter());
        assertEquals(1, ca.getSerialNumber().signum());
        assertEquals(128, ca.getSerialNumber().bitLength());
        assertNotEquals(ca.getSerialNumber(), ISSUER.newCa("prod", Duration.ofDays(1)).cert().getSerialNumber());
    }

    @Test
    void nodeCertificateNamesTheNodeAndItsAddressesForBothEndsOfTls() throws Exception {
        NodeMaterial n1 = ISSUER.issueNode(CA, "n1", List.of("198.18.0.1", "n1.example.net", "2001:db8::1", "n1"),
                Duration.ofDays(825));
        X509Certificate c = n1.cert();
        c.verify(CA.cert().getPublicKey());
        assertEquals("CN=n1", c.getSubjectX500Principal().getName());
        assertEquals(CA.cert().getSubjectX500Principal(), c.getIssuerX500Principal());
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        List<String> sans = new ArrayList<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            sans.add(san.get(0) + ":" + san.get(1));
        }
        // 2 = dNSName, 7 = iPAddress; "n1" given again as an address is not repeated
        assertEquals(List.of("2:n1", "7:198.18.0.1", "2:n1.example.net", "7:2001:db8:0:0:0:0:0:1"), sans);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage(),
                "serverAuth and clientAuth");
        boolean[] ku = c.getKeyUsage();
        assertTrue(ku[0] && ku[2], "digitalSignature and keyEncipherment");
        assertFalse(ku[5], "no keyCertSign");
        assertEquals(-1, c.getBasicConstraints(), "CA:false");
        assertNotNull(c.getExtensionValue(Extension.basicConstraints.getId()), "CA:false is stated");
        byte[] caSki = ASN1OctetString.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                CA.cert().getExtensionValue(Extension.subjectKeyIdentifier.getId()))).getOctets();
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                c.getExtensionValue(Extension.authorityKeyIdentifier.getId())));
        assertArrayEquals(caSki, aki.getKeyIdentifierOctets());
        assertNotNull(c.getExtensionValue(Extension.subjectKeyIdentifier.getId()));
        assertEquals(Date.from(NOW.minus(Duration.ofHours(1))), c.getNotBefore());
        assertEquals(Date.from(NOW.plus(Duration.ofDays(825))), c.getNotAfter());
        assertEquals("EC", n1.key().getAlgorithm());
        assertNotEquals(CA.cert().getPublicKey(), c.getPublicKey());
    }

    @Test
    void theChainPassesPkixValidationAtTheClocksTime() throws Exception {
        NodeMaterial n1 = ISSUER.issueNode(CA, "n1", List.of(), Duration.ofDays(825));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(CA.cert(), null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(NOW));
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(n1.cert())), params);
        // and a CA the node does not trust rejects it
        CaMaterial other = ISSUER.newCa("other", Duration.ofDays(10));
        PKIXParameters otherParams = new PKIXParameters(Set.of(new TrustAnchor(other.cert(), null)));
        otherParams.setRevocationEnabled(false);
        otherParams.setDate(Date.from(NOW));
        assertThrows(java.security.cert.CertPathValidatorException.class, () -> CertPathValidator.getInstance("PKIX")
                .validate(cf.generateCertPath(List.of(n1.cert())), otherParams));
    }

    @Test
    void aNodeCertificateNeverOutlivesItsCa() {
        CaMaterial shortCa = ISSUER.newCa("short", Duration.ofDays(10));
        X509Certificate c = ISSUER.issueNode(shortCa, "n1", List.of(), Duration.ofDays(825)).cert();
        assertEquals(shortCa.cert().getNotAfter(), c.getNotAfter());
        // issued later (the CA made with an earlier clock): still bounded, and starts an hour before that later now
        Instant later = NOW.plus(Duration.ofDays(3));
        X509Certificate c2 = new CertificateIssuer(Clock.fixed(later, ZoneOffset.UTC))
                .issueNode(shortCa, "n2", List.of(), Duration.ofDays(825)).cert();
        assertEquals(shortCa.cert().getNotAfter(), c2.getNotAfter());
        assertEquals(Date.from(later.minus(Duration.ofHours(1))), c2.getNotBefore());
    }

    @Test
    void anExpiredCaAMismatchedKeyOrANonCaAreRefused() {
        CaMaterial shortCa = ISSUER.newCa("short", Duration.ofDays(1));
        CertificateIssuer twoDaysOn = new CertificateIssuer(Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC));
        IllegalArgumentException expired = assertThrows(IllegalArgumentException.class,
                () -> twoDaysOn.issueNode(shortCa, "n1", List.of(), Duration.ofDays(1)));
        assertEquals("the CA certificate expired on 2026-03-02T12:00:00Z", expired.getMessage());
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> ISSUER.issueNode(new CaMaterial(CA.cert(), shortCa.key()), "n1", List.of(), Duration.ofDays(1)));
        assertEquals("the CA key does not belong to the CA certificate", mismatch.getMessage());
        NodeMaterial node = ISSUER.issueNode(CA, "n1", List.of(), Duration.ofDays(1));
        IllegalArgumentException notCa = assertThrows(IllegalArgumentException.class,
                () -> ISSUER.issueNode(new CaMaterial(node.cert(), node.key()), "n2", List.of(), Duration.ofDays(1)));
        assertTrue(notCa.getMessage().contains("is not a CA"), notCa.getMessage());
    }

    @Test
    void nodeIdsAreValidated() {
        for (String ok : List.of("n1", "node-1.example", "a_b", "N", "x".repeat(63))) {
            assertEquals("CN=" + ok, ISSUER.issueNode(CA, ok, List.of(), Duration.ofDays(1)).cert()
                    .getSubjectX500Principal().getName());
        }
        for (String bad : new String[] {"", "a b", "-n1", ".n1", "n1/../x", "x".repeat(64), "n1,O=evil", "é", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ISSUER.issueNode(CA, bad, List.of(), Duration.ofDays(1)), String.valueOf(bad));
            assertEquals("node id '" + bad + "' is not valid (letters, digits, '-', '_' or '.', starting with a "
                    + "letter or digit, at most 63 characters)", e.getMessage());
        }
    }

    @Test
    void addressesClusterNamesAndValiditiesAreValidated() {
        assertEquals("address '198.18.0.1:7400' is neither an IP address nor a DNS name (give it without a port)",
                assertThrows(IllegalArgumentException.class, () -> ISSUER.issueNode(CA, "n1",
                        List.of("198.18.0.1:7400"), Duration.ofDays(1))).getMessage());
        assertEquals("address '300.1.1.1' is not a valid IPv4 address", assertThrows(IllegalArgumentException.class,
                () -> ISSUER.issueNode(CA, "n1", List.of("300.1.1.1"), Duration.ofDays(1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ISSUER.issueNode(CA, "n1",
                List.of("bad host"), Duration.ofDays(1))).getMessage().startsWith("address 'bad host' is neither"));
        // [v6] as written beside a port is taken as the address
        assertEquals(7, CertificateIssuer.addressName("[::1]").getTagNo());
        assertThrows(IllegalArgumentException.class, () -> ISSUER.issueNode(CA, "n1", List.of(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ISSUER.newCa("prod", Duration.ofDays(-1)));
        assertTrue(ISSUER.newCa("c".repeat(48), Duration.ofDays(1)).cert().getSubjectX500Principal().getName()
                .endsWith("c".repeat(48)));
        for (String bad : new String[] {"", "a b", "c".repeat(49), "x,CN=y", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ISSUER.newCa(bad, Duration.ofDays(1)));
            assertTrue(e.getMessage().startsWith("cluster name '" + bad + "' is not valid"), e.getMessage());
        }
    }
}
