package io.vipd.security;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * Makes a cluster's private CA and the node certificates it signs: the material of mutual TLS between peers.
 *
 * <p>Keys are EC P-256 and signatures SHA256withECDSA, which every TLS stack in use takes, with short keys and fast
 * handshakes. A node certificate names its node id as CN and DNS subjectAltName, which is what {@link NodeNames}
 * reads back, and may be used on both ends of a connection, as peers are both clients and servers. Certificates
 * start an hour before now: a peer whose clock is a little behind must not reject a certificate just issued.
 * The clock is injected so tests can check the dates.
 */
public final class CertificateIssuer {
    /** Node ids: vipd.conf's ids, plus '.' so that a host name can serve as one. */
    public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** vipd.conf's cluster names, to 48 characters: "vipd cluster CA " + 48 fills X.509's 64-character CN. */
    static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,47}");
    /** Host names, loosely: labels of letters, digits, '-' and '_', dot-separated, at most 253 characters. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");
    static final Duration CLOCK_SKEW = Duration.ofHours(1);
    static final String CA_CN_PREFIX = "vipd cluster CA ";

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CertificateIssuer() {
        this(Clock.systemUTC());
    }

    public CertificateIssuer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A new self-signed CA for {@code clusterName}, valid from an hour ago for {@code validity} from now. */
    public CaMaterial newCa(String clusterName, Duration validity) {
        if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("cluster name '" + clusterName + "' is not valid (letters, digits, "
                    + "'-' or '_', at most 48 characters)");
        }
        checkValidity(validity);
        Instant now = now();
        KeyPair keys = newKeyPair();
        X500Name subject = commonName(CA_CN_PREFIX + clusterName);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, keys.getPublic());
        try {
            // pathlen 0: this CA signs node certificates only, never another CA
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions().createSubjectKeyIdentifier(keys.getPublic()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the CA certificate", e);
        }
        return new CaMaterial(sign(b, keys.getPrivate()), keys.getPrivate());
    }

    /**
     * A certificate and key for node {@code nodeId}, signed by {@code ca}: CN and DNS subjectAltName {@code nodeId},
     * plus an iPAddress or dNSName subjectAltName for each of {@code addresses}. It ends at {@code validity} from
     * now or when the CA ends, whichever is first: a certificate that outlives its CA would only fail later.
     *
     * @throws IllegalArgumentException for an invalid node id or address, a non-positive validity, or a CA that is
     *     not a CA, has expired, or whose key does not belong to its certificate
     */
    public NodeMaterial issueNode(CaMaterial ca, String nodeId, List<String> addresses, Duration validity) {
        Objects.requireNonNull(ca, "ca");
        checkNodeId(nodeId);
        checkValidity(validity);
        Set<GeneralName> sans = new LinkedHashSet<>(); // GeneralName compares by encoding: repeats drop out
        sans.add(new GeneralName(GeneralName.dNSName, nodeId));
        for (String a : addresses) {
            sans.add(addressName(a));
        }
        X509Certificate caCert = ca.cert();
        Instant now = now();
        if (caCert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the CA certificate " + caCert.getSubjectX500Principal().getName()
                    + " is not a CA (no basicConstraints CA:true)");
        }
        if (!caCert.getNotAfter().toInstant().isAfter(now)) {
            throw new IllegalArgumentException("the CA certificate expired on " + caCert.getNotAfter().toInstant());
        }
        checkKeyBelongsTo(ca.key(), caCert.getPublicKey());
        Instant notBefore = later(now.minus(CLOCK_SKEW), caCert.getNotBefore().toInstant());
        Instant notAfter = earlier(now.plus(validity), caCert.getNotAfter().toInstant());
        KeyPair keys = newKeyPair();
        // the issuer is the CA's subject as encoded in its certificate, byte for byte, so that the chain links
        X500Name issuer = X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore),
                Date.from(notAfter), commonName(nodeId), keys.getPublic());
        try {
            JcaX509ExtensionUtils ext = extensions();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            // peers are TLS servers and clients of each other
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.toArray(new GeneralName[0])));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(caCert, ext));
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the certificate of " + nodeId, e);
        }
        return new NodeMaterial(sign(b, ca.key()), keys.getPrivate());
    }

    /** Throws a message fit for an operator unless {@code nodeId} is a valid node id. */
    public static void checkNodeId(String nodeId) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("node id '" + nodeId + "' is not valid (letters, digits, '-', '_' or "
                    + "'.', starting with a letter or digit, at most 63 characters)");
        }
    }

    /** Throws a message fit for an operator unless {@code address} is an IP address or a DNS name. */
    public static void checkAddress(String address) {
        addressName(address);
    }

    /** An IP literal becomes an iPAddress name (what a peer dialled by address checks), anything else a dNSName. */
    static GeneralName addressName(String address) {
        String a = Objects.requireNonNull(address, "address");
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1); // [::1], as IPv6 addresses are written next to ports
        }
        if (IPAddress.isValid(a)) {
            return new GeneralName(GeneralName.iPAddress, a);
        }
        if (a.matches("[0-9.]+")) {
            throw new IllegalArgumentException("address '" + address + "' is not a valid IPv4 address");
        }
        if (DNS_NAME.matcher(a).matches()) {
            return new GeneralName(GeneralName.dNSName, a);
        }
        throw new IllegalArgumentException("address '" + address + "' is neither an IP address nor a DNS name"
                + (a.contains(":") ? " (give it without a port)" : ""));
    }

    private static void checkValidity(Duration validity) {
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, not " + validity);
        }
    }

    /** Signing with a key that is not the CA certificate's would give certificates nothing can verify. */
    private void checkKeyBelongsTo(PrivateKey key, PublicKey expected) {
        byte[] challenge = new byte[32];
        random.nextBytes(challenge);
        boolean ok;
        try {
            Signature s = Signature.getInstance(signatureAlgorithm(key));
            s.initSign(key, random);
            s.update(challenge);
            byte[] signature = s.sign();
            s.initVerify(expected);
            s.update(challenge);
            ok = s.verify(signature);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException("the CA key does not belong to the CA certificate");
        }
    }

    /** SHA256withECDSA for vipd's own CAs; a CA made elsewhere may have an RSA or Ed25519 key. */
    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "EC":
            case "ECDSA":
                return "SHA256withECDSA";
            case "RSA":
                return "SHA256withRSA";
            case "Ed25519":
            case "EdDSA":
                return "Ed25519";
            default:
                throw new IllegalArgumentException("CA keys of type " + key.getAlgorithm() + " are not supported");
        }
    }

    /** The CA's own key identifier when it states one, so the chain links however the CA computed it. */
    private static AuthorityKeyIdentifier authorityKeyId(X509Certificate ca, JcaX509ExtensionUtils ext)
            throws IOException {
        byte[] ski = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski == null) {
            return ext.createAuthorityKeyIdentifier(ca.getPublicKey());
        }
        return new AuthorityKeyIdentifier(
                ASN1OctetString.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ski)).getOctets());
    }

    private X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(signatureAlgorithm(key)).setSecureRandom(random).build(key)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the certificate", e);
        }
    }

    private KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime cannot make EC P-256 keys", e);
        }
    }

    /** 127 random bits with the top bit of 128 set: positive, unguessable, always 128 bits long. */
    private BigInteger serial() {
        return new BigInteger(128, random).setBit(127);
    }

    /** Key identifiers are the SHA-1 of the public key (RFC 5280 4.2.1.2 method 1), as OpenSSL computes them. */
    private static JcaX509ExtensionUtils extensions() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no SHA-1 for key identifiers", e);
        }
    }

    private static X500Name commonName(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    /** X.509 times have whole seconds; truncating here keeps what tests compute equal to what is written. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
