package io.vipd.config;

import io.vipd.config.keys.ConfigKey;
import io.vipd.config.keys.TlsKeys;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads where the TLS material is ({@link TlsKeys}): all three tls.* keys or none, and not together with
 * {@code insecure = true}. That the files hold good material is {@link ConfigLoader#checkTls}'s job.
 */
final class TlsReader {
    private TlsReader() {
    }

    static TlsSettings read(KeyReader keys) throws ConfigException {
        boolean insecure = keys.get(TlsKeys.INSECURE);
        List<ConfigKey<Path>> set = TlsKeys.MATERIAL.stream().filter(keys::isSet).toList();
        if (set.isEmpty()) {
            return insecure ? TlsSettings.INSECURE : TlsSettings.UNSET;
        }
        if (set.size() < TlsKeys.MATERIAL.size()) {
            ConfigKey<Path> missing = TlsKeys.MATERIAL.stream().filter(k -> !set.contains(k)).findFirst().orElseThrow();
            throw keys.error(set.get(0).name(), "set without " + missing.name() + ": Raft TLS needs all three of "
                    + "tls.ca, tls.cert and tls.key");
        }
        if (insecure) {
            throw keys.error(TlsKeys.INSECURE.name(), "insecure = true contradicts the tls.* keys; remove one or the "
                    + "other");
        }
        return new TlsSettings(keys.find(TlsKeys.CA).orElseThrow(), keys.find(TlsKeys.CERT).orElseThrow(),
                keys.find(TlsKeys.KEY).orElseThrow(), false);
    }
}
