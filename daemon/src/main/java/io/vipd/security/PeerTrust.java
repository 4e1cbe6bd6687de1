package io.vipd.security;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides which peers this node talks Raft with. A peer must present a chain issued by the cluster CA (read anew
 * on every handshake, so a reload that rotates the CA bundle takes effect without a restart) that names exactly
 * one configured member. When this node connects out, the member named must be the one configured at the address
 * it dialled: a host that got hold of n3's certificate cannot stand in for n2.
 */
public final class PeerTrust extends X509ExtendedTrustManager {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final Supplier<TlsMaterial> material;
    private final Supplier<Members> members;
    private final PeerRefusalLog refusals;
    private final Clock clock;

    /** The configured members and the host:port each is reached at. */
    public record Members(Collection<String> ids, Map<String, String> idByAddress) {}

    public PeerTrust(Supplier<TlsMaterial> material, Supplier<Members> members, PeerRefusalLog refusals, Clock clock) {
        this.material = material;
        this.members = members;
        this.refusals = refusals;
        this.clock = clock;
    }

    /** The member {@code leaf} names, or null: what the Raft port's per-request check binds requests to. */
    public String memberOf(X509Certificate leaf) {
        return NodeNames.nodeIdIn(leaf, members.get().ids()).orElse(null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        // a server's engine knows no peer host as gRPC's Netty transport makes it: say "incoming", not "from null"
        check(chain, CLIENT_AUTH, null, engine == null || engine.getPeerHost() == null ? "incoming"
                : "incoming from " + engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        String dialled = engine == null || engine.getPeerHost() == null ? null
                : engine.getPeerHost() + ":" + engine.getPeerPort();
        check(chain, SERVER_AUTH, dialled, dialled == null ? "outgoing" : dialled);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, CLIENT_AUTH, null, "incoming");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, SERVER_AUTH, null, "outgoing");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, CLIENT_AUTH, null, "incoming");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, SERVER_AUTH, null, "outgoing");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return material.get().authorities().toArray(new X509Certificate[0]);
    }

    private void check(X509Certificate[] chain, String purpose, String dialled, String where)
            throws CertificateException {
        String problem = problem(chain, purpose, dialled);
        if (problem != null) {
            refusals.refused(where, problem);
            throw new CertificateException(problem);
        }
    }

    /** Null if the chain is acceptable for {@code purpose} (and for the member at {@code dialled}); else why not. */
    String problem(X509Certificate[] chain, String purpose, String dialled) {
        if (chain == null || chain.length == 0) {
            return "no certificate";
        }
        Optional<String> invalid = chainProblem(List.of(chain), material.get().authorities(), clock.instant());
        if (invalid.isPresent()) {
            return invalid.get();
        }
        X509Certificate leaf = chain[0];
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            if (usages != null && !usages.contains(purpose)) {
                return "certificate of " + NodeNames.of(leaf) + " is not for "
                        + (purpose.equals(SERVER_AUTH) ? "TLS servers" : "TLS clients");
            }
        } catch (CertificateException e) {
            return "unreadable extended key usage";
        }
        Members m = members.get();
        String named = NodeNames.nodeIdIn(leaf, m.ids()).orElse(null);
        if (named == null) {
            return "certificate names " + NodeNames.of(leaf) + ": no single member of " + m.ids();
        }
        String expected = dialled == null ? null : m.idByAddress().get(dialled);
        if (expected != null && !expected.equals(named)) {
            return dialled + " is configured as " + expected + " but presented the certificate of " + named;
        }
        return null;
    }

    /** Empty if {@code chain} is valid at {@code at} and issued by one of {@code authorities}; else why not. */
    static Optional<String> chainProblem(List<X509Certificate> chain, List<X509Certificate> authorities, Instant at) {
        try {
            Set<TrustAnchor> anchors = authorities.stream().map(a -> new TrustAnchor(a, null))
                    .collect(Collectors.toSet());
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false); // no CRL or OCSP on a LAN of a few hosts: rotate the CA instead
            parameters.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
            return Optional.empty();
        } catch (CertPathValidatorException e) {
            return Optional.of("not a valid certificate of the cluster CA: " + reason(e));
        } catch (GeneralSecurityException e) {
            return Optional.of("could not be checked: " + e.getMessage());
        }
    }

    private static String reason(CertPathValidatorException e) {
        String why = e.getReason() == null ? "" : e.getReason().toString().toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ');
        return why.isEmpty() || why.equals("unspecified") ? String.valueOf(e.getMessage()) : why;
    }
}
