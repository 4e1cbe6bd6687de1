package io.vipd.security;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** One node's TLS identity: its certificate, signed by the cluster CA, and its private key. */
public record NodeMaterial(X509Certificate cert, PrivateKey key) {
    public NodeMaterial {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    /** No key material in logs or exception messages, even by accident. */
    @Override
    public String toString() {
        return "NodeMaterial[" + cert.getSubjectX500Principal().getName() + "]";
    }
}
