package io.vipd.cli;

import io.vipd.security.CaMaterial;
import io.vipd.security.CertificateIssuer;
import io.vipd.security.KeyFilePermissions;
import io.vipd.security.NodeMaterial;
import io.vipd.security.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vipctl cert}: makes the cluster CA and the node certificates peers authenticate each other with, and shows
 * a certificate. Unlike vipctl's other commands it works on files only and never talks to the daemon, so that the
 * material can be made before any vipd runs, on a machine that is not a node.
 *
 * <p>Exit codes follow vipctl's: 2 for a usage error (picocli's, or a bad value, which prints the usage too), 1 for
 * a failure, printed as one line that names the file. No stack trace reaches the operator.
 */
@Command(name = "cert", description = "Make the cluster CA and node certificates for TLS between peers, or show a "
        + "certificate. Works on files only: does not talk to the daemon.",
        subcommands = {CertCommand.Ca.class, CertCommand.Node.class, CertCommand.Show.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (a file missing, unreadable, or there already without --force)",
                "2:usage error"})
public final class CertCommand implements Callable<Integer> {
    /** 100 years: beyond it X.509 dates and the point of expiry both get strange. */
    static final int MAX_DAYS = 36500;

    @Spec
    CommandSpec spec;

    /** Bare {@code vipctl cert} shows its usage, as bare {@code vipctl} does. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    /** A failure to report as one line on stderr, exit code 1. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** The common frame of the subcommands: failures become one line and exit code 1, never a stack trace. */
    abstract static class Step implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        abstract void run() throws Failure, IOException;

        @Override
        public final Integer call() {
            try {
                run();
                return 0;
            } catch (Failure | IOException e) {
                System.err.println("vipctl: " + e.getMessage());
            } catch (RuntimeException e) {
                // a usage error (ParameterException) is picocli's to print, with the usage; anything else is a bug
                // or a broken Java runtime, and its message is still more use than a stack trace
                if (e instanceof CommandLine.ParameterException) {
                    throw e;
                }
                System.err.println("vipctl: " + e.getMessage());
            }
            return 1;
        }

        CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }

        Duration days(int days) {
            if (days < 1 || days > MAX_DAYS) {
                throw usage("--days must be between 1 and " + MAX_DAYS + ", not " + days);
            }
            return Duration.ofDays(days);
        }

        /** Fails, naming the first of {@code files} that exists, unless --force was given. */
        static void refuseExisting(boolean force, Path... files) throws Failure {
            for (Path f : files) {
                if (!force && Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new Failure(f + ": already exists (use --force to replace it)");
                }
            }
        }

        static Path directory(Path dir) throws Failure {
            Path abs = dir.toAbsolutePath().normalize();
            try {
                Files.createDirectories(abs);
            } catch (IOException e) {
                throw new Failure(abs + ": cannot create the directory (" + e.getClass().getSimpleName() + ")");
            }
            return abs;
        }
    }

    @Command(name = "ca", description = "Create the cluster's CA: DIR/ca.pem, the certificate every node trusts, and "
            + "DIR/ca.key, which signs node certificates (mode 0600; keep it off the nodes).")
    static final class Ca extends Step {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for ca.pem and ca.key")
        Path out;

        @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "cluster name (cluster.name)")
        String cluster;

        @Option(names = "--days", defaultValue = "3650", paramLabel = "N",
                description = "validity in days (default: ${DEFAULT-VALUE})")
        int days;

        @Option(names = "--force", description = "replace an existing CA (every node certificate must then be made "
                + "anew)")
        boolean force;

        @Override
        void run() throws Failure, IOException {
            Duration validity = days(days);
            CaMaterial ca;
            try {
                ca = new CertificateIssuer().newCa(cluster, validity);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            Path dir = directory(out);
            Path cert = dir.resolve("ca.pem");
            Path key = dir.resolve("ca.key");
            refuseExisting(force, cert, key);
            boolean replacing = Files.exists(cert) || Files.exists(key);
            PemFiles.writePrivateKey(key, ca.key(), force);
            try {
                PemFiles.writeCertificates(cert, List.of(ca.cert()), force);
            } catch (IOException e) {
                if (!force) {
                    Files.deleteIfExists(key); // no CA key without its certificate
                }
                throw e;
            }
            System.out.printf("wrote %s (CA certificate of cluster %s, valid until %s)%n", cert, cluster,
                    ca.cert().getNotAfter().toInstant());
            System.out.printf("wrote %s (CA private key, mode 0600: keep it off the nodes)%n", key);
            if (replacing) {
                System.out.println("this is a new CA: node certificates of the old one are not trusted by it");
            }
            System.out.printf("next, for each node: vipctl cert node --ca %s --id NODE --address ADDRESS --out DIR%n",
                    dir);
        }
    }

    @Command(name = "node", description = "Make node ID's certificate and key, signed by the CA in the --ca "
            + "directory, and put ID.pem, ID.key and ca.pem together in the --out directory: what the node needs.")
    static final class Node extends Step {
        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "directory of ca.pem and ca.key")
        Path caDir;

        @Option(names = "--id", required = true, paramLabel = "ID", description = "node id (node.id on that node)")
        String id;

        @Option(names = "--address", paramLabel = "A", description = "an IP address or DNS name peers reach the node "
                + "at; repeat for several")
        List<String> addresses = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for the node's files")
        Path out;

        @Option(names = "--days", defaultValue = "825", paramLabel = "N",
                description = "validity in days, at most the CA's (default: ${DEFAULT-VALUE})")
        int days;

        @Option(names = "--force", description = "replace the node's existing files")
        boolean force;

        @Override
        void run() throws Failure, IOException {
            Duration validity = days(days);
            try {
                CertificateIssuer.checkNodeId(id);
                addresses.forEach(CertificateIssuer::checkAddress);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            if (id.equals("ca")) {
                throw usage("node id 'ca' would collide with ca.pem and ca.key");
            }
            Path caCertFile = caDir.toAbsolutePath().normalize().resolve("ca.pem");
            Path caKeyFile = caCertFile.resolveSibling("ca.key");
            if (!Files.exists(caCertFile)) {
                throw new Failure(caCertFile + ": no such file (make the CA first: vipctl cert ca --out DIR "
                        + "--cluster NAME)");
            }
            X509Certificate caCert = PemFiles.readCertificates(caCertFile).get(0);
            KeyFilePermissions.check(caKeyFile);
            CaMaterial ca = new CaMaterial(caCert, PemFiles.readPrivateKey(caKeyFile));

            Path dir = directory(out);
            Path cert = dir.resolve(id + ".pem");
            Path key = dir.resolve(id + ".key");
            Path bundleCa = dir.resolve("ca.pem");
            refuseExisting(force, cert, key);
            boolean copyCa = needsCa(bundleCa, caCert);
            NodeMaterial node;
            try {
                node = new CertificateIssuer().issueNode(ca, id, addresses, validity);
            } catch (IllegalArgumentException e) {
                throw new Failure(caCertFile + ": " + e.getMessage());
            }
            PemFiles.writePrivateKey(key, node.key(), force);
            PemFiles.writeCertificates(cert, List.of(node.cert()), force);
            if (copyCa) {
                PemFiles.writeCertificates(bundleCa, List.of(caCert), force);
            }
            List<String> names = new ArrayList<>();
            names.add(id);
            addresses.stream().filter(a -> !names.contains(a)).forEach(names::add);
            System.out.printf("wrote %s (private key of %s, mode 0600)%n", key, id);
            System.out.printf("wrote %s (certificate of %s for %s, valid until %s)%n", cert, id,
                    String.join(", ", names), node.cert().getNotAfter().toInstant());
            System.out.printf(copyCa ? "wrote %s (the cluster CA certificate)%n"
                    : "kept %s (already the cluster CA certificate)%n", bundleCa);
            System.out.printf("%nOn %s, with these files in place (the key owned by the user vipd runs as, mode "
                    + "0600), vipd.conf says:%n", id);
            System.out.println("tls.ca = " + bundleCa);
            System.out.println("tls.cert = " + cert);
            System.out.println("tls.key = " + key);
        }

        /**
         * Whether OUT/ca.pem must be written: it is absent, or holds another CA and --force was given. Another CA
         * without --force is refused: the node would trust a CA its peers' certificates do not come from.
         */
        private boolean needsCa(Path bundleCa, X509Certificate caCert) throws Failure {
            if (!Files.exists(bundleCa, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            boolean same;
            try {
                same = PemFiles.readCertificates(bundleCa).equals(List.of(caCert));
            } catch (IOException e) {
                same = false;
            }
            if (!same && !force) {
                throw new Failure(bundleCa + ": already exists and is not this CA's certificate (use --force to "
                        + "replace it)");
            }
            return !same;
        }
    }

    @Command(name = "show", description = "Show a certificate file: subject, the node names it gives, issuer, "
            + "validity and SHA-256 fingerprint.")
    static final class Show extends Step {
        @Parameters(index = "0", paramLabel = "FILE", description = "a PEM certificate file")
        Path file;

        @Override
        void run() throws Failure, IOException {
            List<X509Certificate> certs = PemFiles.readCertificates(file);
            for (int i = 0; i < certs.size(); i++) {
                if (i > 0) {
                    System.out.println();
                }
                try {
                    CertificateText.print(certs.get(i), java.time.Instant.now(), System.out);
                } catch (IllegalArgumentException e) {
                    throw new Failure(file + ": certificate " + (i + 1) + ": " + e.getMessage());
                }
            }
        }
    }
}
