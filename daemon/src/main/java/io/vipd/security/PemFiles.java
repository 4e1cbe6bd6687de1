package io.vipd.security;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes the PEM files of vipd's TLS material: certificates and unencrypted private keys.
 *
 * <p>Every failure is an {@link IOException} whose message is one line, starts with the file and says what is wrong,
 * because it ends up in front of an operator (vipctl, the daemon's start-up error). Messages never quote the file's
 * content: a key file's bytes must not reach a log. Parsing is Bouncy Castle's; keys and certificates are converted
 * with the JDK's own providers, so nothing here registers a security provider.
 */
public final class PemFiles {
    /** PEM files of a few certificates are a few KiB; anything this large is not one, and is not read into memory. */
    static final long MAX_SIZE = 1 << 20;
    static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> CERT_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {}

    /** The certificates of {@code file}, in file order; at least one, and nothing but certificates. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser pem = new PEMParser(new StringReader(readText(file)))) {
            for (Object o = next(pem, file); o != null; o = next(pem, file)) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    // a key in a certificate file would be published with it (certificates are world-readable)
                    throw new IOException(file + ": holds " + describe(o)
                            + ", not only certificates (expected PEM 'CERTIFICATE' blocks)");
                }
                try {
                    certs.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IOException(file + ": certificate " + (certs.size() + 1) + " is not a valid X.509 "
                            + "certificate", e);
                }
            }
        }
        if (certs.isEmpty()) {
            throw new IOException(file + ": no certificate found (expected a PEM 'CERTIFICATE' block)");
        }
        return certs;
    }

    /** The one unencrypted private key of {@code file} (PKCS#8, or OpenSSL's traditional EC and RSA forms). */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        String text = readText(file);
        PrivateKeyInfo found = null;
        try (PEMParser pem = new PEMParser(new StringReader(text))) {
            for (Object o = next(pem, file); o != null; o = next(pem, file)) {
                PrivateKeyInfo info;
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    // the daemon starts unattended: there is nobody to ask for a passphrase
                    throw new IOException(file + ": encrypted private keys are not supported (decrypt it, e.g. "
                            + "openssl pkey -in KEY -out KEY.plain, and keep it mode 0600)");
                } else if (o instanceof PrivateKeyInfo pkcs8) {
                    info = pkcs8;
                } else if (o instanceof PEMKeyPair pair) {
                    info = pair.getPrivateKeyInfo();
                } else {
                    // 'openssl ecparam -genkey' writes EC PARAMETERS before the key; a combined file may hold
                    // certificates too. Neither is the key, and neither is a reason to refuse the file.
                    continue;
                }
                if (found != null) {
                    throw new IOException(file + ": holds more than one private key (expected exactly one)");
                }
                found = info;
            }
        }
        if (found == null) {
            throw new IOException(file + ": no private key found (expected a PEM 'PRIVATE KEY' block)");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(found);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": the private key cannot be used (algorithm "
                    + found.getPrivateKeyAlgorithm().getAlgorithm() + " unsupported or key malformed)", e);
        }
    }

    /** Writes {@code certs} as PEM, mode 0644; refuses to replace an existing file. */
    public static void writeCertificates(Path file, List<X509Certificate> certs) throws IOException {
        writeCertificates(file, certs, false);
    }

    /** Writes {@code certs} as PEM, mode 0644; replaces an existing file only if {@code force}. */
    public static void writeCertificates(Path file, List<X509Certificate> certs, boolean force) throws IOException {
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no certificates to write to " + file);
        }
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (X509Certificate c : certs) {
                pem.writeObject(c);
            }
        }
        write(file, text.toString().getBytes(StandardCharsets.US_ASCII), CERT_MODE, force);
    }

    /** Writes {@code key} as unencrypted PKCS#8 PEM, mode 0600 from creation on; refuses to replace a file. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        writePrivateKey(file, key, false);
    }

    /**
     * Writes {@code key} as unencrypted PKCS#8 ("PRIVATE KEY", the form both the JDK and Netty read without extra
     * providers), mode 0600 from creation on; replaces an existing file only if {@code force}.
     */
    public static void writePrivateKey(Path file, PrivateKey key, boolean force) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        try {
            write(file, bytes, KEY_MODE, force);
        } finally {
            Arrays.fill(bytes, (byte) 0); // the String copy cannot be wiped; this one can
        }
    }

    /**
     * Writes a new file that has {@code mode} from its creation on. Without {@code force}, CREATE_NEW makes an
     * existing file an error (atomically: no check-then-create race). With it, the bytes go to a temporary file
     * created with {@code mode} beside the target, which is then renamed over it: overwriting in place would keep
     * the old file's mode, which for a key may be wider than 0600.
     */
    private static void write(Path file, byte[] bytes, Set<PosixFilePermission> mode, boolean force)
            throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (!force) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(file + ": already exists (use --force to replace it)");
            }
            try (SeekableByteChannel ch = Files.newByteChannel(target,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(mode))) {
                writeAll(ch, bytes);
            } catch (FileAlreadyExistsException e) {
                throw new IOException(file + ": already exists (use --force to replace it)", e);
            } catch (IOException e) {
                throw new IOException(file + ": cannot write: " + reason(e), e);
            }
            setMode(target, file, mode);
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(mode));
            try (SeekableByteChannel ch = Files.newByteChannel(tmp, StandardOpenOption.WRITE)) {
                writeAll(ch, bytes);
            }
            setMode(tmp, file, mode);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new IOException(file + ": cannot write: " + reason(e), e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The umask may have narrowed the creation mode; certificates are meant to be readable by all (0644). */
    private static void setMode(Path path, Path shown, Set<PosixFilePermission> mode) throws IOException {
        try {
            Files.setPosixFilePermissions(path, mode);
        } catch (IOException e) {
            throw new IOException(shown + ": cannot set its mode: " + reason(e), e);
        }
    }

    private static void writeAll(SeekableByteChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** The file's text. PEM is ASCII; ISO-8859-1 maps any byte, so binary garbage is "no PEM block", not a crash. */
    private static String readText(Path file) throws IOException {
        try {
            if (Files.isDirectory(file)) {
                throw new IOException(file + ": is a directory, not a PEM file");
            }
            if (Files.size(file) > MAX_SIZE) {
                throw new IOException(file + ": larger than 1 MiB, not a PEM file of certificates or a key");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        }
    }

    /** The next PEM object; a block that does not decode is reported without the parser's message or the bytes. */
    private static Object next(PEMParser pem, Path file) throws IOException {
        try {
            return pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not valid PEM (a block is truncated, or its base64 or DER content "
                    + "does not decode)", e);
        }
    }

    private static String describe(Object o) {
        if (o instanceof PrivateKeyInfo || o instanceof PEMKeyPair || o instanceof PEMEncryptedKeyPair
                || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            return "a private key";
        }
        if (o instanceof ASN1ObjectIdentifier) {
            return "EC parameters";
        }
        return "a " + o.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    }

    /** An I/O exception's reason without its path (the caller names the file once, at the start of the line). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason(); // getMessage() would repeat the path, or name a temporary file
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
