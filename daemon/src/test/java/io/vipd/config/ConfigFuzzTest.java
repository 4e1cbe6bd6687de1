package io.vipd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads hundreds of damaged and hostile variants of real configuration files in one JVM. Each must end as a valid
 * configuration or as a ConfigException whose message starts with the file's path, carries no stack trace and no
 * exception class, and never shows the content of a planted secret file that the variants try to pull in with
 * {@code ${file:...}} lookups and includes. The seed is fixed and printed; {@code -Dvipd.fuzz.seed=N} replays another.
 */
class ConfigFuzzTest {
    private static final long DEFAULT_SEED = 0x5EED_C0DEL;
    private static final int FILES = 3000;
    /** What a leaked Java exception looks like in a message: a stack frame, or a java.* / org.apache.* class. */
    private static final Pattern STACK_TRACE_TEXT = Pattern.compile(
            "\\tat |Exception:|(java|javax|jdk|sun|org\\.apache)\\.[A-Za-z0-9_.$]*(Exception|Error)");

    @TempDir
    Path dir;

    private Random random;
    private Path secret;
    private String marker;
    private List<String> tokens;
    private int tlsRefused;
    private List<String> values;

    @Test
    @Timeout(30)
    void mutatedFilesAreValidOrRejectedCleanly() throws Exception {
        long seed = Long.getLong("vipd.fuzz.seed", DEFAULT_SEED);
        random = new Random(seed);
        marker = "PLANTED-SECRET-" + UUID.nameUUIDFromBytes(Long.toString(seed).getBytes()).toString();
        secret = dir.resolve("secret");
        Files.writeString(secret, marker + "\n");
        tokens = List.of("${", "}", "${file:UTF-8:@SECRET@}", "${env:HOME}", "${sys:user.home}", "${node.id}",
                "\\", "\\u", "\\u12", "\\uZZZZ", "\\u0024{file:UTF-8:@SECRET@}", "\u0663", "\uff13",
                "\u0968", "99999999999999999999", "-1", "-", "+", "\0", "\r", "\r\n", "\n", "#", "!", "=", ":", ",",
                " ", "\t", "\u202e", "\u001b[2J", "\uFEFF", "\u00e9", "\ud83d\ude00", "\ud800",
                "\ninclude = @SECRET@\n", "\nincludeoptional = @SECRET@\n", "/", "..", "/proc/self",
                "\nnotify.any = @SECRET@\n");
        values = List.of("", " ", "${file:UTF-8:@SECRET@}", "${env:PATH}", "${sys:java.home}", "${node.id}",
                "$", "${x}", "99999999999999999999999999", "2147483648", "-2147483649", "-5", "0", "\u0667\u0660\u0660",
                "\uff17\uff14\uff10\uff10", "a".repeat(20_000), "/", "/proc/self", "/etc", "/dev/null", "relative",
                "/run/vipd/" + "x".repeat(200), "@SECRET@", "@DIR@", "198.18.0.0/24",
                "198.18.0.255/24", "198.18.0.100/31", "on", "release", "http://127.0.0.1:\u0668\u0660/", "\\",
                "n1, n1", "exec");

        Path example = Path.of(System.getProperty("user.dir")).resolveSibling("conf").resolve("vipd.conf.example");
        String exampleText = Files.readString(example);
        List<String> bases = List.of(exampleText,
                exampleText.replaceAll("(?m)^#([a-z][A-Za-z0-9_.]* = )", "$1"),
                ConfigLoaderTest.VALID, ConfigLoaderTest.CHECKED);

        ConfigLoader loader = new ConfigLoader(ignored -> "host-a");
        Path file = dir.resolve("vipd.conf");
        int valid = 0;
        int rejected = 0;
        tlsRefused = 0;
        long started = System.nanoTime();
        for (int i = 0; i < FILES; i++) {
            byte[] bytes = withTempPaths(mutate(bases.get(i % bases.size())));
            Files.write(file, bytes);
            String where = "seed " + seed + ", file " + i + ": " + printable(bytes);
            try {
                VipdConfig c = loader.load(file);
                for (String w : c.warnings()) {
                    assertTrue(w.startsWith(file + ":"), "warning without the file first (" + where + "): " + w);
                    assertClean(w, where);
                }
                // What the daemon checks next: the TLS material the file names (mostly not there: refused cleanly).
                try {
                    loader.checkTls(c, io.vipd.security.TlsMaterial.loader(java.time.Clock.systemUTC()));
                } catch (ConfigException e) {
                    assertTrue(e.getMessage().startsWith(file + ":"), "TLS message without the file first ("
                            + where + "): " + e.getMessage());
                    assertClean(e.getMessage(), where);
                    tlsRefused++;
                }
                valid++;
            } catch (ConfigException e) {
                String message = e.getMessage();
                assertTrue(message.startsWith(file + ":"), "message without the file first (" + where + "): "
                        + message);
                assertClean(message, where);
                assertTrue(!message.contains(ConfigLoader.UNEXPECTED_PROBLEM),
                        "an exception escaped a check (" + where + "): " + message);
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("not a ConfigException (" + where + ")", e);
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("config fuzz: " + FILES + " files, " + valid + " valid (" + tlsRefused + " of them then "
                + "refused for their TLS material), " + rejected + " rejected (seed " + seed + ", " + millis + " ms)");
        assertEquals(FILES, valid + rejected);
        assertTrue(valid > FILES / 20, "too few mutations leave a valid file to exercise the rules: " + valid);
        assertTrue(rejected > FILES / 2, "too few mutations are caught: " + rejected);
    }

    /**
     * Mutations name the secret file and the temporary directory by placeholders, replaced only in the finished
     * bytes: otherwise the length of the random temporary path would shift positions, and a seed would not replay.
     */
    private byte[] withTempPaths(byte[] bytes) {
        String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
        return latin1.replace("@SECRET@", secret.toString()).replace("@DIR@", dir.toString())
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private void assertClean(String message, String where) {
        assertTrue(!message.contains(marker), "shows the planted secret (" + where + "): " + message);
        assertTrue(!STACK_TRACE_TEXT.matcher(message).find(), "stack trace text (" + where + "): " + message);
    }

    /** One to four mutations of {@code base}; some work on lines, some on bytes. */
    private byte[] mutate(String base) {
        List<String> lines = new ArrayList<>(Arrays.asList(base.split("\n", -1)));
        int textMutations = 1 + random.nextInt(4);
        for (int m = 0; m < textMutations; m++) {
            int at = random.nextInt(lines.size());
            switch (random.nextInt(9)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, lines.get(at));
                case 2 -> {
                    int other = random.nextInt(lines.size());
                    String a = lines.get(at);
                    lines.set(at, lines.get(other));
                    lines.set(other, a);
                }
                case 3, 4 -> {
                    String line = lines.get(at);
                    int pos = random.nextInt(line.length() + 1);
                    lines.set(at, line.substring(0, pos) + pick(tokens) + line.substring(pos));
                }
                case 5, 6 -> {
                    // A new value for a key that is set (not commented out), so that every rule gets its turn.
                    List<Integer> settings = new ArrayList<>();
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).matches("[a-z][^ ]* = .*")) {
                            settings.add(i);
                        }
                    }
                    int target = settings.isEmpty() ? at : pick(settings);
                    String line = lines.get(target);
                    int eq = line.indexOf(" = ");
                    if (eq > 0) {
                        lines.set(target, line.substring(0, eq + 3) + pick(values));
                    } else {
                        lines.add(target, "cluster.name = " + pick(values));
                    }
                }
                case 7 -> {
                    String line = lines.get(at).replaceFirst("^#", "");
                    int eq = line.indexOf(" = ");
                    String key = eq > 0 ? line.substring(0, eq) : "node.id";
                    String odd = pick(List.of(key + ".x", key + ".", key.toUpperCase(), key + "\\ ", "." + key,
                            key.replace(".", ".."), "peer.", "vip..address", "check.c.type.ms", key + "\u0663"));
                    lines.add(at, odd + " = " + (eq > 0 ? line.substring(eq + 3) : pick(values)));
                }
                default -> lines.add(at, pick(List.of("include = @SECRET@", "includeoptional = @SECRET@",
                        "cluster.name = ${file:UTF-8:@SECRET@}", "notify.fault = ${file:UTF-8:@SECRET@}",
                        "node.id = ${node.id}", "data.dir = /proc/self", "control.socket = /etc")));
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
        }
        String text = String.join("\n", lines);
        if (random.nextInt(10) == 0) {
            text = text.replace("\n", "\r\n");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(4) == 0) {
            bytes = mutateBytes(bytes);
        }
        return bytes;
    }

    private byte[] mutateBytes(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 8);
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        out.write(bytes, 0, at);
        int resumeAt = Math.min(bytes.length, at + 1);
        switch (random.nextInt(4)) {
            case 0 -> out.write(bytes.length == 0 ? 0 : bytes[at] ^ (1 << random.nextInt(8)));
            case 1 -> {
                out.writeBytes(pick(List.of(new byte[] {(byte) 0xc3}, new byte[] {(byte) 0xff},
                        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xc0, (byte) 0xaf})));
                resumeAt = at;
            }
            case 2 -> {
                out.write(0);
                resumeAt = at;
            }
            default -> {
                // drop the byte: cuts a multi-byte character in half now and then
            }
        }
        out.write(bytes, resumeAt, bytes.length - resumeAt);
        return out.toByteArray();
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    /** The file as a Java string literal would show it, cut to a readable length, for a failure's message. */
    private static String printable(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.length() > 4000 ? sb.substring(0, 4000) + "..." : sb.toString();
    }
}
