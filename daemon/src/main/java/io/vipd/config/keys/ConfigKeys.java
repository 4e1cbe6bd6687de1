package io.vipd.config.keys;

import io.vipd.config.VipdConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The catalogue: every key vipd.conf may set, by section. The loader reads each key through it (type, bounds,
 * default), refuses any key not in it, and a reload compares the keys that take a restart through it. Each key is
 * documented in conf/vipd.conf.example (a unit test holds the two together).
 */
public final class ConfigKeys {
    /** Plain keys first, in the order the unknown-key message lists them, then the families of named keys. */
    public static final List<ConfigKey<?>> ALL = Stream.of(NodeKeys.ALL, TlsKeys.ALL, AnnounceKeys.ALL, WatchKeys.ALL,
            TimingKeys.ALL, NotifyKeys.ALL, PeerKeys.ALL, VipKeys.ALL, GroupKeys.ALL, CheckKeys.ALL).flatMap(List::stream).toList();

    private ConfigKeys() {
    }

    /** A key as written in the file, found in the catalogue; {@code member} is "" for a plain key. */
    public record Match(ConfigKey<?> key, String member) {
    }

    /** The catalogue's key that {@code fileKey} (as written: {@code vip.web.address}) is, if any. */
    public static Optional<Match> lookup(String fileKey) {
        for (ConfigKey<?> key : ALL) {
            Optional<String> member = key.memberIn(fileKey);
            if (member.isPresent()) {
                return Optional.of(new Match(key, member.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * Every key, short: the plain keys, then each family once ({@code vip.NAME.{address, interface, ...}}), for the
     * message about an unknown key.
     */
    public static String summary() {
        List<String> parts = new ArrayList<>();
        Map<String, List<String>> families = new LinkedHashMap<>();
        for (ConfigKey<?> key : ALL) {
            if (key.isNamed()) {
                families.computeIfAbsent(key.family(), f -> new ArrayList<>()).add(key.suffix());
            } else {
                parts.add(key.name());
            }
        }
        families.forEach((family, suffixes) -> parts.add(suffixes.equals(List.of("")) ? family
                : family + ".{" + String.join(", ", suffixes) + "}"));
        return String.join(", ", parts);
    }

    /**
     * What a reload from {@code running} to {@code next} would change that only a restart may change: the restart
     * labels of the keys that are not {@link ConfigKey#reloadable()} and whose value differs, each label once, in
     * catalogue order. Values are compared as the configurations hold them, so a key written out with the value it
     * had by default changes nothing.
     */
    public static List<String> restartOnlyChanges(VipdConfig running, VipdConfig next) {
        Set<String> changed = new LinkedHashSet<>();
        for (ConfigKey<?> key : ALL) {
            if (!key.reloadable() && !Objects.equals(key.runningValue(running), key.runningValue(next))) {
                changed.add(key.restartLabel());
            }
        }
        return List.copyOf(changed);
    }
}
