package io.vipd.security;

import static io.vipd.security.TlsFixture.CLUSTER;
import static io.vipd.security.TlsFixture.T0;
import static io.vipd.security.TlsFixture.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Socket;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/** This node's certificate and key, offered only for handshakes its key can sign, and always the current ones. */
class PeerKeysTest {
    static final CaMaterial CA = TlsFixture.ca("prod");
    static final NodeMaterial N1 = TlsFixture.node(CA, "n1");
    static final String ALIAS = "vipd-node";

    static PeerTls tls(TlsMaterial material) {
        return new PeerTls(material, CLUSTER, at(T0), () -> 0L);
    }

    /** The alias each of the key manager's six ways of asking gives for {@code keyType}; all must agree. */
    static String alias(PeerKeys keys, String keyType) {
        String server = keys.chooseEngineServerAlias(keyType, null, null);
        assertEquals(server, keys.chooseServerAlias(keyType, null, (Socket) null));
        assertEquals(server, keys.chooseEngineClientAlias(new String[] {keyType}, null, null));
        assertEquals(server, keys.chooseClientAlias(new String[] {keyType}, null, null));
        String[] expected = server == null ? null : new String[] {server};
        assertArrayEquals(expected, keys.getServerAliases(keyType, null));
        assertArrayEquals(expected, keys.getClientAliases(keyType, null));
        return server;
    }

    @Test
    void anEcKeyIsOfferedOnlyForEc() {
        PeerKeys keys = tls(TlsFixture.material(CA, N1, "n1")).keys();
        assertEquals(ALIAS, alias(keys, "EC"));
        assertEquals(ALIAS, alias(keys, "ECDSA"));
        assertEquals(ALIAS, alias(keys, "EC_EC")); // TLS 1.2's ECDH_ECDSA
        assertNull(alias(keys, "RSA"));
        assertNull(alias(keys, "RSASSA-PSS"));
        assertNull(alias(keys, "DSA"));
        assertNull(alias(keys, "Ed25519"));
        // a client is asked once with every type the server allows
        assertEquals(ALIAS, keys.chooseEngineClientAlias(new String[] {"RSA", "RSASSA-PSS", "EC"}, null, null));
        assertNull(keys.chooseEngineClientAlias(new String[] {"RSA", "RSASSA-PSS"}, null, null));
        assertNull(keys.chooseClientAlias(new String[] {null, "RSA"}, null, null));
    }

    @Test
    void anRsaKeyIsOfferedOnlyForRsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        PrivateKey rsa = g.generateKeyPair().getPrivate();
        // only the key's algorithm matters here: the certificate is not looked at
        PeerKeys keys = tls(new TlsMaterial(List.of(CA.cert()), List.of(N1.cert()), rsa, "n1")).keys();
        assertEquals(ALIAS, alias(keys, "RSA"));
        assertNull(alias(keys, "EC"));
        assertNull(alias(keys, "ECDSA"));
        assertEquals(rsa, keys.getPrivateKey(ALIAS));
    }

    @Test
    void theChainAndKeyAreServedOnlyUnderTheAlias() {
        PeerKeys keys = tls(TlsFixture.material(CA, N1, "n1")).keys();
        assertArrayEquals(new X509Certificate[] {N1.cert()}, keys.getCertificateChain(ALIAS));
        assertEquals(N1.key(), keys.getPrivateKey(ALIAS));
        assertNull(keys.getCertificateChain("node"));
        assertNull(keys.getPrivateKey("node"));
        assertNull(keys.getCertificateChain(null));
        assertNull(keys.getPrivateKey(null));
    }

    @Test
    void afterAnUpdateTheNewChainAndKeyAreServed() {
        PeerTls tls = tls(TlsFixture.material(CA, N1, "n1"));
        PeerKeys keys = tls.keys();
        CaMaterial next = TlsFixture.ca("prod");
        NodeMaterial renewed = TlsFixture.node(next, "n1");
        tls.update(new TlsMaterial(List.of(CA.cert(), next.cert()), List.of(renewed.cert(), next.cert()),
                renewed.key(), "n1"));
        assertArrayEquals(new X509Certificate[] {renewed.cert(), next.cert()}, keys.getCertificateChain(ALIAS));
        assertEquals(renewed.key(), keys.getPrivateKey(ALIAS));
        assertEquals(ALIAS, alias(keys, "EC"));
    }

    /** An SSLContext from a node's PeerTls managers, as Ratis is given them. */
    static SSLContext context(PeerTls tls) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(new KeyManager[] {tls.keys()}, new TrustManager[] {tls.trust()}, null);
        return ctx;
    }

    @Test
    void twoNodesHandshakeWithTheseManagersAndARenewedCertificateIsUsedNext() throws Exception {
        // a real loopback TLS 1.3 handshake in which each side's PeerKeys presents and PeerTrust judges
        PeerTls n1 = tls(TlsFixture.material(CA, issue(CA, "n1"), "n1"));
        PeerTls n2 = tls(TlsFixture.material(CA, issue(CA, "n2"), "n2"));
        assertArrayEquals(new String[] {"n2", "n1"}, MutualTlsHandshakeTest.handshake(context(n1), context(n2)));
        SSLContext server = context(n1);
        // n1's certificate is renewed under a new CA that n2 does not trust yet: refused until n2 reloads too
        CaMaterial next = TlsFixture.ca("prod");
        n1.update(TlsFixture.material(List.of(CA, next), issue(next, "n1"), "n1"));
        SSLContext client = context(n2);
        assertThrows(SSLException.class,
                () -> MutualTlsHandshakeTest.handshake(server, client));
        n2.update(TlsFixture.material(List.of(CA, next), issue(CA, "n2"), "n2"));
        assertArrayEquals(new String[] {"n2", "n1"}, MutualTlsHandshakeTest.handshake(server, client));
    }

    static NodeMaterial issue(CaMaterial ca, String id) {
        return TlsFixture.ISSUER.issueNode(ca, id, List.of("127.0.0.1"), Duration.ofDays(1));
    }
}
