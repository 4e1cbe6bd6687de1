package io.vipd.security;

import io.vipd.config.TlsSettings;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * This node's TLS material for Raft traffic, loaded and checked: the cluster CA bundle, this node's certificate
 * chain and its private key. Loading refuses anything a handshake would trip over later, naming the key and file:
 * a private key others can read, a certificate that has expired, is not issued by the CA, names another node, or
 * does not belong to the key.
 */
public record TlsMaterial(List<X509Certificate> authorities, List<X509Certificate> chain, PrivateKey key,
                          String nodeId) {
    public TlsMaterial {
        authorities = List.copyOf(authorities);
        chain = List.copyOf(chain);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** When this node's certificate stops being valid. */
    public Instant certificateExpires() {
        return certificate().getNotAfter().toInstant();
    }

    /** When the first CA of the bundle stops being valid. */
    public Instant authorityExpires() {
        return authorities.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    }

    /** A {@link TlsSettings.Loader} that checks at the time {@code clock} gives. */
    public static TlsSettings.Loader<TlsMaterial> loader(Clock clock) {
        return (tls, nodeId, members) -> load(tls, nodeId, members, clock);
    }

    public static TlsMaterial load(TlsSettings tls, String nodeId, Collection<String> members, Clock clock)
            throws TlsSettings.Problem {
        try {
            KeyFilePermissions.check(tls.key());
        } catch (IOException e) {
            throw new TlsSettings.Problem("tls.key", e.getMessage());
        }
        List<X509Certificate> authorities = read("tls.ca", () -> PemFiles.readCertificates(tls.ca()));
        for (X509Certificate ca : authorities) {
            if (ca.getBasicConstraints() < 0) {
                throw new TlsSettings.Problem("tls.ca", tls.ca() + ": '" + ca.getSubjectX500Principal().getName()
                        + "' is not a CA certificate (give the cluster CA's ca.pem)");
            }
        }
        List<X509Certificate> chain = read("tls.cert", () -> PemFiles.readCertificates(tls.cert()));
        PrivateKey key = read("tls.key", () -> PemFiles.readPrivateKey(tls.key()));
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity(java.util.Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            throw new TlsSettings.Problem("tls.cert", tls.cert() + ": expired on " + leaf.getNotAfter().toInstant()
                    + "; issue a new one with 'vipctl cert node'");
        } catch (CertificateNotYetValidException e) {
            throw new TlsSettings.Problem("tls.cert", tls.cert() + ": not valid before "
                    + leaf.getNotBefore().toInstant() + " (is this host's clock right?)");
        }
        Optional<String> problem = PeerTrust.chainProblem(chain, authorities, clock.instant());
        if (problem.isPresent()) {
            throw new TlsSettings.Problem("tls.cert", tls.cert() + ": " + problem.get() + " (by the CA in "
                    + tls.ca() + ")");
        }
        Optional<String> named = NodeNames.nodeIdIn(leaf, members);
        if (named.isEmpty() || !named.get().equals(nodeId)) {
            throw new TlsSettings.Problem("tls.cert", tls.cert() + ": names " + NodeNames.of(leaf)
                    + ", not this node's id '" + nodeId + "' (alone among the members " + members + ")");
        }
        if (!belongTogether(key, leaf)) {
            throw new TlsSettings.Problem("tls.key", tls.key() + ": is not the private key of the certificate in "
                    + tls.cert());
        }
        return new TlsMaterial(authorities, chain, key, nodeId);
    }

    private interface Read<T> {
        T get() throws IOException;
    }

    private static <T> T read(String key, Read<T> read) throws TlsSettings.Problem {
        try {
            return read.get();
        } catch (IOException e) {
            throw new TlsSettings.Problem(key, e.getMessage());
        }
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    private static boolean belongTogether(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
