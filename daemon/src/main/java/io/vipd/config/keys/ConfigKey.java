package io.vipd.config.keys;

import io.vipd.config.VipdConfig;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One key of vipd.conf, declared once in the catalogue ({@link ConfigKeys}): its name, the type of its value (with
 * its bounds), its default, and whether a reload may change it. A key is either plain ({@code lease.ms}) or one of a
 * family whose members the operator names ({@code vip.NAME.address}, {@code peer.ID}).
 *
 * <p>A key that a reload may not change says which value of the running configuration it decides
 * ({@link #runningValue}), and how a refused reload names it ({@link #restartLabel}); several keys can share one
 * label (all timing keys are "timing (...)").
 *
 * @param <T> the type of its value
 */
public final class ConfigKey<T> {
    private final String name;
    private final String prefix;
    private final String suffix;
    private final Pattern pattern;
    private final ValueType<T> type;
    private final String defaultText;
    private final boolean reloadable;
    private final String restartLabel;
    private final Function<VipdConfig, ?> runningValue;

    private ConfigKey(Builder<T> b) {
        this.name = b.prefix + (b.placeholder == null ? "" : b.placeholder) + b.suffix;
        this.prefix = b.prefix;
        this.suffix = b.suffix;
        this.pattern = b.placeholder == null ? null : Pattern.compile(Pattern.quote(b.prefix) + "([^.]+)"
                + (b.suffix.isEmpty() ? "" : Pattern.quote(b.suffix)));
        this.type = b.type;
        this.defaultText = b.defaultText;
        this.reloadable = b.reloadable;
        this.restartLabel = b.reloadable || b.restartLabel != null ? b.restartLabel : name;
        this.runningValue = b.runningValue;
    }

    /** A plain key, e.g. {@code plain("lease.ms", integer(50, 60_000))}. */
    public static <T> Builder<T> plain(String name, ValueType<T> type) {
        return new Builder<>(name, null, "", type);
    }

    /**
     * A key of a family whose members the operator names: {@code named("vip.", "NAME", ".address", ...)} is
     * {@code vip.NAME.address}, matched by {@code vip.web.address}; the member name contains no dot.
     */
    public static <T> Builder<T> named(String prefix, String placeholder, String suffix, ValueType<T> type) {
        return new Builder<>(prefix, placeholder, suffix, type);
    }

    /** As documented: {@code lease.ms}, {@code vip.NAME.address}, {@code peer.ID}. */
    public String name() {
        return name;
    }

    /** Whether it belongs to a family of named members ({@code vip.NAME.x}, {@code check.NAME.x}, {@code peer.ID}). */
    public boolean isNamed() {
        return pattern != null;
    }

    /** For a named key, what its family's keys start with, placeholder included ({@code vip.NAME}); else its name. */
    public String family() {
        return isNamed() ? name.substring(0, name.length() - suffix.length()) : name;
    }

    /** For a named key, what follows the member's name without the dot ({@code address}; "" for {@code peer.ID}). */
    public String suffix() {
        return suffix.isEmpty() ? "" : suffix.substring(1);
    }

    /** This key of member {@code member}: {@code vip.NAME.address} in {@code web} is {@code vip.web.address}. */
    public String in(String member) {
        if (!isNamed()) {
            throw new IllegalStateException(name + " is a plain key");
        }
        return prefix + member + suffix;
    }

    /**
     * @return the member a key as written in the file is this key of ("" for a plain key), or empty when it is not
     *         this key
     */
    public Optional<String> memberIn(String fileKey) {
        if (!isNamed()) {
            return fileKey.equals(name) ? Optional.of("") : Optional.empty();
        }
        Matcher m = pattern.matcher(fileKey);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public ValueType<T> type() {
        return type;
    }

    /**
     * The value the key has when the file does not set it, as the operator would write it ("vipd", "/var/lib/vipd",
     * "700"), read through the key's type like a written value; null when there is no fixed default (a required key,
     * or one whose default the reader works out from other keys, such as {@code node.id} from the hostname).
     */
    public String defaultText() {
        return defaultText;
    }

    /** Whether {@code systemctl reload vipd} may change it; if not, a reload that does is refused. */
    public boolean reloadable() {
        return reloadable;
    }

    /** How a refused reload names this key (several keys may share a label); null for a reloadable key. */
    public String restartLabel() {
        return restartLabel;
    }

    /** What this key decides in a configuration, to compare the running one with a reloaded one. */
    public Object runningValue(VipdConfig config) {
        if (reloadable) {
            throw new IllegalStateException(name + " is reloadable");
        }
        return runningValue.apply(config);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Declares a key; {@link #reloadable()} or one of the {@code restartOnly} methods must be called before build. */
    public static final class Builder<T> {
        private final String prefix;
        private final String placeholder;
        private final String suffix;
        private final ValueType<T> type;
        private String defaultText;
        private Boolean reloadable;
        private String restartLabel;
        private Function<VipdConfig, ?> runningValue;

        private Builder(String prefix, String placeholder, String suffix, ValueType<T> type) {
            this.prefix = Objects.requireNonNull(prefix);
            this.placeholder = placeholder;
            this.suffix = Objects.requireNonNull(suffix);
            this.type = Objects.requireNonNull(type);
        }

        /** @param text the default as the operator would write it (see {@link ConfigKey#defaultText()}) */
        public Builder<T> byDefault(String text) {
            this.defaultText = Objects.requireNonNull(text);
            return this;
        }

        public Builder<T> byDefault(int value) {
            return byDefault(String.valueOf(value));
        }

        /** A reload may change it: the running daemon applies the new value. */
        public Builder<T> reloadable() {
            this.reloadable = true;
            return this;
        }

        /** Only a restart changes it; a reload that changes what it decides ({@code value}) is refused. */
        public Builder<T> restartOnly(Function<VipdConfig, ?> value) {
            return restartOnly(null, value);
        }

        /** @param label how a refused reload names it, when not by its own name */
        public Builder<T> restartOnly(String label, Function<VipdConfig, ?> value) {
            this.reloadable = false;
            this.restartLabel = label;
            this.runningValue = Objects.requireNonNull(value);
            return this;
        }

        public ConfigKey<T> build() {
            if (reloadable == null) {
                throw new IllegalStateException(prefix + suffix + ": say whether a reload may change it");
            }
            return new ConfigKey<>(this);
        }
    }
}
