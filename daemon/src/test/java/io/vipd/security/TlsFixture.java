package io.vipd.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Certificates at a fixed time for the tests of the TLS classes: a cluster n1, n2, n3 at 198.18.0.{1,2,3}:7400. */
final class TlsFixture {
    static final Instant T0 = Instant.parse("2031-01-01T00:00:00Z");
    static final List<String> MEMBERS = List.of("n1", "n2", "n3");
    static final PeerTrust.Members CLUSTER = new PeerTrust.Members(MEMBERS,
            Map.of("198.18.0.1:7400", "n1", "198.18.0.2:7400", "n2", "198.18.0.3:7400", "n3"));
    static final Duration NODE_VALIDITY = Duration.ofDays(90);
    static final CertificateIssuer ISSUER = new CertificateIssuer(at(T0));

    private TlsFixture() {}

    static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    static CaMaterial ca(String cluster) {
        return ISSUER.newCa(cluster, Duration.ofDays(365));
    }

    /** A certificate of {@code ca} naming {@code id} (and, as DNS names, {@code alsoNamed}), valid 90 days. */
    static NodeMaterial node(CaMaterial ca, String id, String... alsoNamed) {
        List<String> names = new ArrayList<>(List.of("198.18.0.9"));
        names.addAll(List.of(alsoNamed));
        return ISSUER.issueNode(ca, id, names, NODE_VALIDITY);
    }

    /** What {@link TlsMaterial#load} would give node {@code id}, built directly. */
    static TlsMaterial material(List<CaMaterial> authorities, NodeMaterial node, String id) {
        return new TlsMaterial(authorities.stream().map(CaMaterial::cert).toList(), List.of(node.cert()),
                node.key(), id);
    }

    static TlsMaterial material(CaMaterial ca, NodeMaterial node, String id) {
        return material(List.of(ca), node, id);
    }
}
