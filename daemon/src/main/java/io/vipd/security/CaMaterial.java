package io.vipd.security;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A cluster CA: its self-signed certificate (what every node trusts) and the key that signs node certificates. */
public record CaMaterial(X509Certificate cert, PrivateKey key) {
    public CaMaterial {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    /** No key material in logs or exception messages, even by accident. */
    @Override
    public String toString() {
        return "CaMaterial[" + cert.getSubjectX500Principal().getName() + "]";
    }
}
