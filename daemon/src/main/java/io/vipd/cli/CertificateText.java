package io.vipd.cli;

import io.vipd.security.NodeNames;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * What {@code vipctl cert show} prints of a certificate: what an operator checks before trusting or deploying it
 * (whom it names, who signed it, how long it has left) and the fingerprint to compare with another copy.
 */
final class CertificateText {
    /** subjectAltName type iPAddress (RFC 5280 GeneralName tag 7). */
    private static final int IP_ADDRESS = 7;

    private CertificateText() {}

    /** Prints {@code cert} as label: value lines; {@code now} decides the days left. */
    static void print(X509Certificate cert, Instant now, PrintStream out) {
        Set<String> names = NodeNames.of(cert);
        line(out, "subject", cert.getSubjectX500Principal().getName(X500Principal.RFC2253));
        line(out, "names", names.isEmpty() ? "(none)" : String.join(", ", names));
        List<String> addresses = addresses(cert);
        if (!addresses.isEmpty()) {
            line(out, "addresses", String.join(", ", addresses));
        }
        line(out, "issuer", cert.getIssuerX500Principal().getName(X500Principal.RFC2253));
        int pathLen = cert.getBasicConstraints();
        line(out, "CA", pathLen < 0 ? "no" : pathLen == Integer.MAX_VALUE ? "yes" : "yes (path length " + pathLen
                + ")");
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        line(out, "not before", notBefore + (now.isBefore(notBefore) ? " (NOT VALID YET)" : ""));
        line(out, "not after", notAfter + " (" + left(now, notAfter) + ")");
        line(out, "sha-256", fingerprint(cert));
    }

    /** Days left, rounded to the nearest day (a certificate made for 825 days shows 825, not 824); hours near the end. */
    static String left(Instant now, Instant notAfter) {
        Duration d = Duration.between(now, notAfter);
        if (d.isNegative() || d.isZero()) {
            long ago = Math.round(d.negated().toHours() / 24.0);
            return "EXPIRED" + (ago >= 1 ? " " + ago + (ago == 1 ? " day" : " days") + " ago" : "");
        }
        if (d.toHours() < 24) {
            long hours = d.toHours();
            return hours < 1 ? "expires in less than an hour" : hours + (hours == 1 ? " hour" : " hours") + " left";
        }
        long days = Math.round(d.toHours() / 24.0);
        return days + (days == 1 ? " day" : " days") + " left";
    }

    /** SHA-256 of the DER encoding, as openssl x509 -fingerprint -sha256 writes it. */
    static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot compute its fingerprint", e);
        }
    }

    private static List<String> addresses(X509Certificate cert) {
        List<String> addresses = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(IP_ADDRESS).equals(san.get(0))) {
                        addresses.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("its subjectAltName cannot be parsed", e);
        }
        return addresses;
    }

    private static void line(PrintStream out, String label, String value) {
        out.printf("%-11s %s%n", label + ":", value);
    }
}
