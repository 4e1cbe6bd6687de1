package io.vipd.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Where this node's TLS material for Raft traffic is ({@code tls.ca}, {@code tls.cert}, {@code tls.key}: all
 * three or none), or that the operator chose to run without it ({@code insecure = true}).
 */
public record TlsSettings(Path ca, Path cert, Path key, boolean insecure) {
    /** No TLS material and not marked insecure: the daemon refuses to start ({@link ConfigLoader#checkTls}). */
    public static final TlsSettings UNSET = new TlsSettings(null, null, null, false);
    /** Plaintext Raft traffic, chosen explicitly. */
    public static final TlsSettings INSECURE = new TlsSettings(null, null, null, true);

    public boolean enabled() {
        return ca != null;
    }

    /** Loads and checks the material a {@link TlsSettings} names; a problem names the key whose file is at fault. */
    public interface Loader<T> {
        T load(TlsSettings tls, String nodeId, List<String> members) throws Problem;
    }

    /** What is wrong with the file one of the {@code tls.*} keys names. */
    public static final class Problem extends Exception {
        private final String key;

        public Problem(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
