package io.vipd.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents this node's certificate and key in every handshake, as server and as client. Asks for the current
 * material each time, so certificates rotated by a reload are used by the next connection without a restart.
 */
public final class PeerKeys extends X509ExtendedKeyManager {
    private static final String ALIAS = "vipd-node";
    private final Supplier<TlsMaterial> material;

    public PeerKeys(Supplier<TlsMaterial> material) {
        this.material = material;
    }

    /**
     * The TLS stack asks per key type it could use ("EC", "RSA", "EC_EC" in TLS 1.2 ...): answer only for the type
     * this node's key has, so it picks a signature scheme the key can make.
     */
    private String aliasFor(String... keyTypes) {
        String algorithm = material.get().key().getAlgorithm();
        for (String type : keyTypes) {
            if (type != null && (type.equals(algorithm) || type.startsWith(algorithm + "_")
                    || algorithm.equals("EC") && type.equals("ECDSA"))) {
                return ALIAS;
            }
        }
        return null;
    }

    private String[] aliasesFor(String keyType) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasesFor(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasesFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? material.get().chain().toArray(new X509Certificate[0]) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? material.get().key() : null;
    }
}
