package io.vipd.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.DERUTF8String;
import org.junit.jupiter.api.Test;

class NodeNamesTest {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final CaMaterial CA = ISSUER.newCa("test", Duration.ofDays(30));
    static final List<String> CLUSTER = List.of("n1", "n2", "n3");

    static X509Certificate node(String id, String... addresses) {
        return ISSUER.issueNode(CA, id, List.of(addresses), Duration.ofDays(1)).cert();
    }

    /** A self-signed certificate with any subject and DNS names, for shapes vipctl cert does not make. */
    static X509Certificate custom(X500Name subject, String... dnsNames) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.TEN, Date.from(now),
                Date.from(now.plusSeconds(60)), subject, kp.getPublic());
        if (dnsNames.length > 0) {
            GeneralName[] names = new GeneralName[dnsNames.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    @Test
    void namesAreTheCnAndTheDnsAltNamesButNotTheAddresses() {
        assertEquals(List.of("n1", "n1.example.net"), List.copyOf(NodeNames.of(node("n1", "198.18.0.1",
                "n1.example.net", "2001:db8::1"))));
        assertEquals(Set.of("vipd cluster CA test"), NodeNames.of(CA.cert()));
    }

    @Test
    void everyCnCountsIncludingOneInAMultiValuedRdnAndNoAltNamesIsFine() throws Exception {
        X500Name multi = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "vipd")
                .addMultiValuedRDN(new AttributeTypeAndValue[] {
                    new AttributeTypeAndValue(BCStyle.OU, new DERUTF8String("ops")),
                    new AttributeTypeAndValue(BCStyle.CN, new DERUTF8String("n2"))})
                .addRDN(BCStyle.CN, "n3").build();
        assertEquals(Set.of("n2", "n3"), NodeNames.of(custom(multi)));
        X500Name escaped = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "n1,O=evil").build();
        assertEquals(Set.of("n1,O=evil"), NodeNames.of(custom(escaped)), "a comma in a CN is part of the name");
        assertEquals(Optional.empty(), NodeNames.nodeIdIn(custom(escaped), CLUSTER));
        X500Name noCn = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "n1").build();
        assertEquals(Set.of("n2"), NodeNames.of(custom(noCn, "n2")));
    }

    @Test
    void nodeIdInFindsTheOneConfiguredIdOrNone() throws Exception {
        assertEquals(Optional.of("n1"), NodeNames.nodeIdIn(node("n1", "198.18.0.1"), CLUSTER));
        assertEquals(Optional.empty(), NodeNames.nodeIdIn(node("n9"), CLUSTER), "names no configured node");
        assertEquals(Optional.empty(), NodeNames.nodeIdIn(node("N1"), CLUSTER), "ids are compared exactly");
        assertEquals(Optional.empty(), NodeNames.nodeIdIn(CA.cert(), CLUSTER));
        assertEquals(Optional.of("n3"), NodeNames.nodeIdIn(custom(
                new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "other").build(), "n3"), CLUSTER),
                "a DNS alt name alone names the node");
    }

    @Test
    void aCertificateNamingTwoConfiguredNodesSpeaksForNeither() throws Exception {
        X509Certificate both = node("n1", "n2");
        assertEquals(Set.of("n1", "n2"), NodeNames.of(both));
        assertEquals(Optional.empty(), NodeNames.nodeIdIn(both, CLUSTER), "ambiguous: refused");
        assertEquals(Optional.of("n1"), NodeNames.nodeIdIn(both, List.of("n1", "n3")),
                "where n2 is not configured only n1 is named");
        assertEquals(Optional.of("n1"), NodeNames.nodeIdIn(node("n1"), List.of("n1", "n1")), "a repeated id is one id");
    }
}
