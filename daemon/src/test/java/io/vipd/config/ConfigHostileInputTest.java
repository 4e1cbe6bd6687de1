package io.vipd.config;

import static io.vipd.config.ConfigLoaderTest.FILE;
import static io.vipd.config.ConfigLoaderTest.VALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written to make vipd leak, crash or misread: {@code ${...}} lookups, includes, bad escapes and encodings,
 * control characters. Every outcome is a valid configuration or a ConfigException naming file, line and key.
 */
class ConfigHostileInputTest {
    private final ConfigLoader loader = new ConfigLoader(ignored -> "host-a");

    @TempDir
    Path dir;
    private Path secret;
    private String marker;

    @BeforeEach
    void plantSecret() throws Exception {
        marker = "SECRET-" + UUID.randomUUID();
        secret = dir.resolve("shadow");
        Files.writeString(secret, marker + "\n");
    }

    private ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> loader.parse(FILE, text));
    }

    /** VALID with line {@code line} (1-based) replaced. */
    private static String withLine(int line, String replacement) {
        List<String> lines = new java.util.ArrayList<>(List.of(VALID.split("\n", -1)));
        lines.set(line - 1, replacement);
        return String.join("\n", lines);
    }

    private void assertNoSecret(String message) {
        assertFalse(message.contains(marker), "leaks the planted file: " + message);
    }

    @Test
    void fileLookupIsNotInterpolated() {
        String lookup = "${file:UTF-8:" + secret + "}";
        ConfigException e = error(VALID + "cluster.name = " + lookup + "\n");
        assertEquals(FILE + ":12: cluster.name: '" + lookup + "' is not a valid name (letters, digits, '-' or '_')",
                e.getMessage());
        assertNoSecret(e.getMessage());
        for (String line : List.of("node.id = " + lookup, "data.dir = " + lookup, "vip.web.interface = " + lookup)) {
            String key = line.substring(0, line.indexOf(' '));
            ConfigException other = error(VALID.replaceFirst("(?m)^" + java.util.regex.Pattern.quote(key) + " = .*$",
                    java.util.regex.Matcher.quoteReplacement(line)));
            assertEquals(key, other.key());
            assertTrue(other.line() > 0, other.getMessage());
            assertTrue(other.getMessage().contains(lookup), other.getMessage());
            assertNoSecret(other.getMessage());
        }
    }

    @Test
    void environmentAndSystemPropertyLookupsAreNotInterpolated() {
        ConfigException env = error(VALID.replace("eth0\nvip.web.prefer", "${env:PATH}\nvip.web.prefer"));
        assertEquals(FILE + ":8: vip.web.interface: '${env:PATH}' is not a valid interface name", env.getMessage());
        ConfigException sys = error(VALID + "cluster.name = ${sys:user.home}\n");
        assertEquals(FILE + ":12: cluster.name: '${sys:user.home}' is not a valid name (letters, digits, '-' or '_')",
                sys.getMessage());
        assertFalse(sys.getMessage().contains(System.getProperty("user.home") + "'"), sys.getMessage());
    }

    @Test
    void aSelfReferenceIsAnOrdinaryBadValue() {
        ConfigException e = error(VALID.replace("node.id = n1", "node.id = ${node.id}"));
        assertEquals(FILE + ":2: node.id: '${node.id}' is not a valid node id (letters, digits, '-' or '_', "
                + "at most 63 characters)", e.getMessage());
    }

    @Test
    void anEscapedDollarIsNotInterpolatedEither() {
        ConfigException e = error(VALID + "cluster.name = \\u0024{file:UTF-8:" + secret + "}\n");
        assertEquals(12, e.line());
        assertEquals("cluster.name", e.key());
        assertNoSecret(e.getMessage());
    }

    @Test
    void aDollarIsJustText() throws Exception {
        VipdConfig c = loader.parse(FILE, VALID + String.join("\n",
                "check.env.type = exec",
                "check.env.shell = true",
                "check.env.command = test -n \"$HOME\" && test ${x} != $",
                "vip.web.checks = env",
                "notify.acquire = /usr/local/bin/vip-up ${file:UTF-8:" + secret + "} $1",
                ""));
        assertEquals(List.of("/bin/sh", "-c", "test -n \"$HOME\" && test ${x} != $"),
                ((ExecCheck) c.checks().get("env")).command());
        assertEquals(List.of("/usr/local/bin/vip-up", "${file:UTF-8:" + secret + "}", "$1"), c.hooks().acquire());
        c.warnings().forEach(this::assertNoSecret);
    }

    @Test
    void aCommaIsJustText() throws Exception {
        // No list splitting by the properties parser: the whole value reaches vipd's own checks.
        ConfigException e = error(VALID.replace("eth0\nvip.web.prefer", "eth0,eth1\nvip.web.prefer"));
        assertEquals(FILE + ":8: vip.web.interface: 'eth0,eth1' is not a valid interface name", e.getMessage());
        VipdConfig c = loader.parse(FILE, VALID + "check.page.type = http\n"
                + "check.page.url = http://127.0.0.1/health?a=1,2\n");
        assertEquals("http://127.0.0.1/health?a=1,2", ((HttpCheck) c.checks().get("page")).url().toString());
        assertEquals(List.of("n2", "n1"), c.vip("web").orElseThrow().preferred());
    }

    @Test
    void includeIsRefused() {
        for (String key : List.of("include", "includeoptional", "INCLUDE", "IncludeOptional")) {
            ConfigException e = error(VALID + key + " = " + secret + "\n");
            assertEquals(FILE + ":12: " + key + ": vipd has no includes: it reads this one file only; put the "
                    + "settings here", e.getMessage());
            assertNoSecret(e.getMessage());
        }
    }

    @Test
    void aMalformedEscapeNamesItsLine() {
        ConfigException e = error(VALID + "cluster.name = a\\uZZZZ\n");
        assertEquals(12, e.line());
        assertTrue(e.getMessage().startsWith(FILE + ":12: malformed escape"), e.getMessage());
        assertEquals(12, error(VALID + "cluster.\\uZZ = x\n").line());
        assertEquals(13, error(VALID + "# a comment\ncluster.name = \\\n  b\\u12\n").line(),
                "a continued line is reported where it starts");
    }

    @Test
    void aValueWithoutAKey() {
        assertEquals(FILE + ":12: a value without a key (lines are key = value)", error(VALID + "= n1\n").getMessage());
    }

    @Test
    void aSecondLineForAKeyIsNamed() {
        ConfigException e = error(VALID + "vip.web.interface = eth1\n");
        assertEquals(FILE + ":12: vip.web.interface: set more than once (first on line 8); keep one line",
                e.getMessage());
    }

    @Test
    void invalidUtf8NamesItsLine() throws Exception {
        Path file = dir.resolve("latin1.conf");
        byte[] head = VALID.getBytes(StandardCharsets.UTF_8);
        byte[] tail = "cluster.name = caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        Files.write(file, all);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertEquals(12, e.line());
        assertTrue(e.getMessage().startsWith(file + ":12: not valid UTF-8"), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsDropped() throws Exception {
        Path file = dir.resolve("bom.conf");
        Files.writeString(file, "\uFEFF" + VALID);
        assertEquals("n1", loader.load(file).nodeId());
    }

    @Test
    void crlfLineEndingsAreFine() throws Exception {
        assertEquals("n1", loader.parse(FILE, VALID.replace("\n", "\r\n")).nodeId());
        assertEquals(12, error(VALID.replace("\n", "\r\n") + "bogus = 1\r\n").line());
    }

    @Test
    void notAConfigFileAtAll() throws Exception {
        ConfigException directory = assertThrows(ConfigException.class, () -> loader.load(dir));
        assertTrue(directory.getMessage().startsWith(dir + ": cannot read: "), directory.getMessage());
        Path huge = dir.resolve("huge.conf");
        Files.write(huge, new byte[ConfigText.MAX_BYTES + 1]);
        assertEquals(huge + ": larger than 1 MiB; not a vipd configuration",
                assertThrows(ConfigException.class, () -> loader.load(huge)).getMessage());
    }

    @Test
    void aNulInAPathIsAConfigError() {
        ConfigException e = error(VALID.replace("data.dir = /tmp/vipd-test", "data.dir = /tmp/vipd\\u0000x"));
        assertEquals(3, e.line());
        assertEquals("data.dir", e.key());
        assertTrue(e.problem().contains("is not a usable path"), e.problem());
        assertTrue(e.getMessage().contains("/tmp/vipd\\u0000x"), "the NUL is shown escaped: " + e.getMessage());
        assertFalse(e.getMessage().contains("\0"), e.getMessage());
    }

    @Test
    void controlCharactersAreShownEscaped() {
        ConfigException e = error(VALID + "cluster.name = a\\u001b[2Jb\\u202e\n");
        assertEquals(FILE + ":12: cluster.name: 'a\\u001b[2Jb\\u202e' is not a valid name (letters, digits, '-' or "
                + "'_')", e.getMessage());
        ConfigException key = error(VALID + "x\\ry = 1\n");
        assertTrue(key.getMessage().startsWith(FILE + ":12: x\\u000dy: unknown key"), key.getMessage());
    }

    @Test
    void aHugeValueIsCutInTheMessage() {
        ConfigException e = error(VALID + "cluster.name = " + "a".repeat(100_000) + "\n");
        assertTrue(e.getMessage().length() < 2_200, "message of " + e.getMessage().length() + " characters");
        assertTrue(e.getMessage().contains("characters left out"), e.getMessage());
        assertTrue(e.getMessage().endsWith("is not a valid name (letters, digits, '-' or '_')"), e.getMessage());
    }

    @Test
    void anEndOfLineCommentIsExplained() {
        ConfigException e = error(withLine(2, "node.id = n1   # this node"));
        assertEquals(FILE + ":2: node.id: 'n1   # this node' is not a valid node id (letters, digits, '-' or '_', "
                + "at most 63 characters) ('#' starts a comment only at the start of a line: everything after '=' "
                + "is the value)", e.getMessage());
    }

    @Test
    void hugeAndNegativeNumbersAreOutOfRange() {
        assertEquals(FILE + ":12: announce.burst.count: 99999999999999999999999 is outside 1..100",
                error(VALID + "announce.burst.count = 99999999999999999999999\n").getMessage());
        assertEquals(FILE + ":12: announce.burst.count: -3 is outside 1..100",
                error(VALID + "announce.burst.count = -3\n").getMessage());
        assertEquals(FILE + ":6: peer.n3: port 99999999999999999999 is outside 1..65535",
                error(VALID.replace("198.18.0.3:7400", "198.18.0.3:99999999999999999999")).getMessage());
        assertEquals(FILE + ":7: vip.web.address: prefix length 4294967320 is outside 1..32",
                error(VALID.replace("198.18.0.100/24", "198.18.0.100/4294967320")).getMessage());
    }
}
