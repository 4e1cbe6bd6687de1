package io.vipd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.keys.ConfigKey;
import io.vipd.config.keys.ConfigKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The key catalogue: sound in itself, and documented key for key in conf/vipd.conf.example. */
class ConfigKeysTest {
    static final Path EXAMPLE = Path.of(System.getProperty("user.dir")).resolveSibling("conf")
            .resolve("vipd.conf.example");
    /** How the example documents a key: {@code key = value}, or commented out as {@code #key = value}. */
    private static final Pattern DOCUMENTED = Pattern.compile("(?m)^(#?)([a-z][A-Za-z0-9_.]*) = (.*)$");

    /** The keys the example sets or shows commented out, as written ({@code vip.web.address}), with their values. */
    static Map<String, String> documented() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = DOCUMENTED.matcher(Files.readString(EXAMPLE));
        while (m.find()) {
            out.put(m.group(2), m.group(3));
        }
        return out;
    }

    @Test
    void everyKeyOfTheCatalogueIsDocumentedInTheExampleAndEveryDocumentedKeyIsInTheCatalogue() throws Exception {
        Set<ConfigKey<?>> documented = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String key : documented().keySet()) {
            ConfigKeys.lookup(key).ifPresentOrElse(match -> documented.add(match.key()), () -> unknown.add(key));
        }
        assertEquals(List.of(), unknown, "documented in " + EXAMPLE + " but not in the catalogue");
        List<String> undocumented = ConfigKeys.ALL.stream().filter(k -> !documented.contains(k))
                .map(ConfigKey::name).toList();
        assertEquals(List.of(), undocumented, "in the catalogue but not documented in " + EXAMPLE
                + " (as 'key =' or '#key =')");
    }

    @Test
    void aPlainKeyShownCommentedOutInTheExampleShowsItsDefault() throws Exception {
        Matcher m = DOCUMENTED.matcher(Files.readString(EXAMPLE));
        int compared = 0;
        while (m.find()) {
            ConfigKey<?> key = ConfigKeys.lookup(m.group(2)).map(ConfigKeys.Match::key).orElse(null);
            if (key != null && m.group(1).equals("#") && !key.isNamed() && key.defaultText() != null) {
                assertEquals(key.defaultText(), m.group(3), key.name());
                compared++;
            }
        }
        assertTrue(compared >= 15, "only " + compared + " defaults compared");
    }

    @Test
    void eachKeyOfTheFileIsExactlyOneKeyOfTheCatalogue() {
        Set<String> names = new LinkedHashSet<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            assertTrue(names.add(key.name()), "declared twice: " + key);
            String written = key.isNamed() ? key.in("x_1") : key.name();
            List<ConfigKey<?>> matching = ConfigKeys.ALL.stream().filter(k -> k.memberIn(written).isPresent())
                    .toList();
            assertEquals(List.of(key), matching, written);
            assertEquals(key, ConfigKeys.lookup(written).orElseThrow().key());
            if (key.isNamed()) {
                assertEquals("x_1", ConfigKeys.lookup(written).orElseThrow().member());
                assertTrue(ConfigKeys.lookup(key.in("a.b")).isEmpty(), "a member name has no dot: " + key);
            }
        }
        assertTrue(ConfigKeys.lookup("vip.web.adress").isEmpty());
        assertTrue(ConfigKeys.lookup("include").isEmpty());
        assertTrue(ConfigKeys.lookup("vip..address").isEmpty());
        assertTrue(ConfigKeys.lookup("peer.").isEmpty());
    }

    @Test
    void keysThatTakeARestartSayHowARefusedReloadNamesThem() {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (key.reloadable()) {
                assertEquals(null, key.restartLabel(), key.name());
            } else {
                assertNotNull(key.restartLabel(), key.name());
            }
        }
    }

    @Test
    void defaultsAreValidValuesOfTheirKeys() throws Exception {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (key.defaultText() != null) {
                assertNotNull(key.type().parse(key.defaultText()), key.name());
            }
        }
    }

    @Test
    void theUnknownKeyMessageListsTheCatalogue() {
        String summary = ConfigKeys.summary();
        assertEquals("node.id, cluster.name, data.dir, control.socket, control.group, metrics.listen, tls.ca, tls.cert, tls.key, "
                + "insecure, announce.burst.count, announce.burst.interval.ms, announce.refresh.ms, watch.probe.interval.ms, watch.silent.after.ms, profile, "
                + "raft.snapshot.entries, raft.election.timeout.min.ms, raft.election.timeout.max.ms, lease.ms, "
                + "lease.renew.interval.ms, failover.timeout.ms, notify.acquire, notify.release, notify.fault, "
                + "notify.any, notify.conflict, notify.timeout.ms, witnesses, voters, peer.ID, vip.NAME.{address, interface, prefer, checks, preempt, "
                + "preempt.delay.ms, preempt.hold.ms, unhealthy, conflict, on_silent, track}, group.NAME.{vips, prefer, checks, "
                + "preempt, preempt.delay.ms, preempt.hold.ms}, check.NAME.{type, target, url, status, command, "
                + "shell, interval.ms, timeout.ms, rise, fall}", summary);
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            assertTrue(summary.contains(key.isNamed() ? key.suffix() : key.name()), key.name());
        }
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> new ConfigLoader(ignored -> "host-a").parse(ConfigLoaderTest.FILE,
                        ConfigLoaderTest.VALID + "lease.msec = 700\n"));
        assertEquals(ConfigLoaderTest.FILE + ":12: lease.msec: unknown key (known: " + summary + ")",
                e.getMessage());
    }
}
