package io.vipd.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The text of a vipd.conf: at most {@link #MAX_BYTES}, strictly UTF-8. */
final class ConfigText {
    /** Far more than any vipd.conf; keeps {@code vipd --check-config /dev/zero} from filling the heap. */
    static final int MAX_BYTES = 1 << 20;

    private ConfigText() {
    }

    static String read(Path file) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, null, "no such file");
        } catch (IOException | RuntimeException e) {
            // The message of a file system error names the path and the reason, never the content.
            throw new ConfigException(file, 0, null, "cannot read: " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw new ConfigException(file, 0, null, "larger than " + (MAX_BYTES >> 20) + " MiB; not a vipd "
                    + "configuration");
        }
        return decode(file, bytes);
    }

    /**
     * Strict UTF-8: a file in Latin-1 or with a damaged byte would otherwise be read with replacement characters,
     * and a key or value would silently differ from what the operator's editor shows. A byte order mark, which some
     * editors write, is dropped.
     */
    static String decode(Path file, byte[] bytes) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(file, line, null, "not valid UTF-8 (byte " + (in.position() + 1)
                    + " of the file); save it as UTF-8");
        }
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
