package io.vipd.daemon;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Finds the Raft log segment that fails its checksums. Ratis reports a damaged entry without naming its file; the
 * operator needs the file. Reads the segment format Ratis writes: the header "RaftLog1", then per entry a varint
 * length, the entry and a CRC32C of both, then zero padding (preallocated space). A file cut short is not damaged:
 * Ratis drops an incomplete last entry itself (a crash mid-write).
 */
final class RaftLogScan {
    private static final byte[] HEADER = "RaftLog1".getBytes(StandardCharsets.US_ASCII);
    /** Larger than any vipd entry; a length beyond it is damage, not data. */
    private static final int MAX_ENTRY_BYTES = 64 * 1024 * 1024;

    private RaftLogScan() {}

    /** The first log segment under {@code raftDir} with a damaged header or entry, if any. */
    static Optional<Path> firstDamaged(Path raftDir) throws IOException {
        if (!Files.isDirectory(raftDir)) {
            return Optional.empty();
        }
        List<Path> segments;
        try (Stream<Path> files = Files.walk(raftDir)) {
            segments = files.filter(f -> f.getFileName().toString().startsWith("log_") && Files.isRegularFile(f))
                    .sorted().toList();
        }
        for (Path segment : segments) {
            if (damaged(segment)) {
                return Optional.of(segment);
            }
        }
        return Optional.empty();
    }

    static boolean damaged(Path segment) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(segment)))) {
            byte[] header = new byte[HEADER.length];
            int n = in.readNBytes(header, 0, header.length);
            if (n < header.length) {
                return false; // cut short while being created
            }
            if (!Arrays.equals(header, HEADER)) {
                return true;
            }
            CRC32C crc = new CRC32C();
            byte[] varint = new byte[5];
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return false;
                }
                if (first == 0) {
                    // The padding after the last entry (preallocated space) is all zeros; anything else is damage.
                    for (int b = in.read(); b >= 0; b = in.read()) {
                        if (b != 0) {
                            return true;
                        }
                    }
                    return false;
                }
                int length = 0;
                int varintLength = 0;
                int b = first;
                while (true) {
                    varint[varintLength] = (byte) b;
                    length |= (b & 0x7f) << (7 * varintLength);
                    varintLength++;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                    if (varintLength == varint.length) {
                        return true;
                    }
                    b = in.read();
                    if (b < 0) {
                        return false;
                    }
                }
                if (length <= 0 || length > MAX_ENTRY_BYTES) {
                    return true;
                }
                byte[] entry = in.readNBytes(length);
                if (entry.length < length) {
                    return false;
                }
                int stored;
                try {
                    stored = in.readInt();
                } catch (EOFException e) {
                    return false;
                }
                crc.reset();
                crc.update(varint, 0, varintLength);
                crc.update(entry);
                if ((int) crc.getValue() != stored) {
                    return true;
                }
            }
        }
    }
}
