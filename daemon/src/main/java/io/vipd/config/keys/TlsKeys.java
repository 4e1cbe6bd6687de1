package io.vipd.config.keys;

import static io.vipd.config.keys.ConfigKey.plain;
import static io.vipd.config.keys.ValueTypes.onOff;
import static io.vipd.config.keys.ValueTypes.path;

import io.vipd.config.PathRules;
import java.nio.file.Path;
import java.util.List;

/**
 * Mutual TLS between members: all three files or none. The files are re-read on reload (certificate rotation), and
 * may move then; switching TLS on or off takes a restart.
 */
public final class TlsKeys {
    public static final ConfigKey<Path> CA = material("tls.ca");
    public static final ConfigKey<Path> CERT = material("tls.cert");
    public static final ConfigKey<Path> KEY = material("tls.key");
    public static final ConfigKey<Boolean> INSECURE = plain("insecure", onOff()).byDefault("false")
            .restartOnly("insecure (TLS on or off)", c -> c.tls().insecure()).build();

    /** The files, in the order their keys are named in messages. */
    public static final List<ConfigKey<Path>> MATERIAL = List.of(CA, CERT, KEY);
    public static final List<ConfigKey<?>> ALL = List.of(CA, CERT, KEY, INSECURE);

    private TlsKeys() {
    }

    private static ConfigKey<Path> material(String name) {
        return plain(name, path("an absolute path", PathRules::plainAbsolutePath)).reloadable().build();
    }
}
