package io.vipd.testbed;

import io.vipd.security.CaMaterial;
import io.vipd.security.CertificateIssuer;
import io.vipd.security.NodeMaterial;
import io.vipd.security.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The testbed's cluster CA and each host's certificate, made with the same code as {@code vipctl cert}, so every
 * test cluster runs Raft over mutual TLS as an installation does. Also issues the certificates attack tests need: of
 * another CA, or of the cluster CA for an id that is no member.
 */
public final class TestbedTls {
    private final Path dir;
    private final CaMaterial ca;
    private final CertificateIssuer issuer = new CertificateIssuer();

    public TestbedTls(Path dir, String clusterName) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.ca = issuer.newCa(clusterName, Duration.ofDays(90));
        PemFiles.writeCertificates(caPath(), List.of(ca.cert()));
    }

    public Path caPath() {
        return dir.resolve("ca.pem");
    }

    public Path certPath(String node) {
        return dir.resolve(node + ".pem");
    }

    public Path keyPath(String node) {
        return dir.resolve(node + ".key");
    }

    /** Issues {@code node}'s certificate (naming {@code address} too) and writes it and its key here. */
    public void issue(String node, String address) throws IOException {
        write(node, issuer.issueNode(ca, node, List.of(address), Duration.ofDays(60)));
    }

    /** A certificate and key for {@code node} from a CA of its own, written under {@code name}. */
    public void issueFromOtherCa(String name, String node) throws IOException {
        CaMaterial other = issuer.newCa("other", Duration.ofDays(30));
        write(name, issuer.issueNode(other, node, List.of(), Duration.ofDays(7)));
    }

    private void write(String name, NodeMaterial m) throws IOException {
        PemFiles.writeCertificates(certPath(name), List.of(m.cert()), true);
        PemFiles.writePrivateKey(keyPath(name), m.key(), true);
    }

    /** The vipd.conf lines for {@code node}'s material. */
    public String configLines(String node) {
        return "tls.ca = " + caPath() + "\ntls.cert = " + certPath(node) + "\ntls.key = " + keyPath(node) + "\n";
    }
}
