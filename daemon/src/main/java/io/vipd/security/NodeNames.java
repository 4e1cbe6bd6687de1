package io.vipd.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Which vipd node a peer's certificate speaks for. A certificate names a node by its subject CN or by a DNS
 * subjectAltName (vipctl cert node writes both); IP subjectAltNames are addresses, not node ids, and are left out.
 * Names are compared exactly, as vipd.conf's ids are.
 */
public final class NodeNames {
    /** subjectAltName type dNSName (RFC 5280 GeneralName tag 2). */
    private static final int DNS_NAME = 2;

    private NodeNames() {}

    /**
     * The names {@code cert} gives: its subject CN(s), then every DNS subjectAltName, without repeats.
     *
     * @throws IllegalArgumentException if the subject or the subjectAltName extension cannot be parsed; a peer whose
     *     names cannot be read must not be taken for any node
     */
    public static Set<String> of(X509Certificate cert) {
        Set<String> names = new LinkedHashSet<>();
        try {
            LdapName subject = new LdapName(cert.getSubjectX500Principal().getName(X500Principal.RFC2253));
            // getRdns() is in the certificate's own order; an RDN may be multi-valued (CN=a+O=b), hence
            // toAttributes() rather than getType()/getValue(), which see only its first value
            for (Rdn rdn : subject.getRdns()) {
                Attribute cn = rdn.toAttributes().get("CN");
                for (int i = 0; cn != null && i < cn.size(); i++) {
                    if (cn.get(i) instanceof String s) { // a CN given as #hex DER is bytes, not a name
                        names.add(s);
                    }
                }
            }
        } catch (NamingException e) {
            throw new IllegalArgumentException("the certificate's subject cannot be parsed", e);
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(DNS_NAME).equals(san.get(0))
                            && san.get(1) instanceof String dns) {
                        names.add(dns);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("the certificate's subjectAltName cannot be parsed", e);
        }
        return names;
    }

    /**
     * The one configured node id that {@code cert} names. Empty if it names none, and also if it names two or more:
     * such a certificate could speak for either node, so it speaks for neither.
     */
    public static Optional<String> nodeIdIn(X509Certificate cert, Collection<String> configuredIds) {
        Set<String> named = of(cert);
        String match = null;
        for (String id : new LinkedHashSet<>(configuredIds)) {
            if (named.contains(id)) {
                if (match != null) {
                    return Optional.empty();
                }
                match = id;
            }
        }
        return Optional.ofNullable(match);
    }
}
