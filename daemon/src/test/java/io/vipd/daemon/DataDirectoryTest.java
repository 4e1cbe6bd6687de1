package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.ratis.protocol.exceptions.ChecksumException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path tmp;

    /** A segment as Ratis writes it: header, then varint length + entry + CRC32C per entry, then zero padding. */
    static byte[] segment(String... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("RaftLog1".getBytes(StandardCharsets.US_ASCII));
        for (String e : entries) {
            byte[] data = e.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            int n = data.length;
            while ((n & ~0x7f) != 0) {
                frame.write((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            frame.write(n);
            frame.write(data);
            CRC32C crc = new CRC32C();
            crc.update(frame.toByteArray());
            out.write(frame.toByteArray());
            out.writeInt((int) crc.getValue());
        }
        out.write(new byte[64]);
        return bytes.toByteArray();
    }

    @Test
    void aFreshDirectoryIsCreatedAndPasses() {
        DataDirectory dir = new DataDirectory(tmp.resolve("var/lib/vipd"));
        assertEquals(Optional.empty(), dir.checkBeforeStart());
        assertTrue(Files.isDirectory(tmp.resolve("var/lib/vipd/raft")));
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsAnOperatorProblemInOneLine() throws IOException {
        Files.writeString(tmp.resolve("file"), "not a directory");
        Optional<DataDirectory.Problem> p = new DataDirectory(tmp.resolve("file/vipd")).checkBeforeStart();
        assertTrue(p.isPresent());
        assertEquals(DataDirectory.EXIT_OPERATOR, p.get().exitCode());
        assertTrue(p.get().message().contains(tmp.resolve("file/vipd/raft").toString())
                && p.get().message().contains("fix:") && !p.get().message().contains("\n"), p.get().message());
    }

    @Test
    void theScanFindsTheSegmentWithABadChecksumAndIgnoresOneCutShort() throws IOException {
        Path current = Files.createDirectories(tmp.resolve("raft/group/current"));
        byte[] good = segment("renew n1", "renew n2", "assign web n1");
        Files.write(current.resolve("log_0-2"), good);
        byte[] cut = segment("renew n1", "renew n2");
        Files.write(current.resolve("log_inprogress_3"), java.util.Arrays.copyOf(cut, cut.length - 70));
        assertFalse(RaftLogScan.damaged(current.resolve("log_inprogress_3")), "a torn last entry is not damage");
        assertEquals(Optional.empty(), RaftLogScan.firstDamaged(tmp.resolve("raft")));

        byte[] bad = good.clone();
        bad[20] ^= 0x5a;
        Files.write(current.resolve("log_0-2"), bad);
        assertEquals(Optional.of(current.resolve("log_0-2")), RaftLogScan.firstDamaged(tmp.resolve("raft")));
    }

    @Test
    void aChecksumFailureFromRatisNamesTheDamagedFileAndTheFix() throws IOException {
        DataDirectory dir = new DataDirectory(tmp);
        Path current = Files.createDirectories(tmp.resolve("raft/group/current"));
        byte[] bad = segment("renew n1", "renew n2");
        bad[12] ^= 0x01;
        Files.write(current.resolve("log_inprogress_0"), bad);
        Exception ratis = new IllegalStateException("n1@group-1: Failed to initRaftLog.",
                new ChecksumException("Log entry corrupted: Calculated checksum is 1 but read checksum is 2.", 12));
        Optional<DataDirectory.Problem> p = dir.explain(ratis);
        assertTrue(p.isPresent());
        assertEquals(DataDirectory.EXIT_DAMAGED, p.get().exitCode());
        String m = p.get().message();
        assertTrue(m.contains(current.resolve("log_inprogress_0").toString()) && m.contains("is damaged")
                && m.contains("mv " + tmp.resolve("raft")), m);
    }

    @Test
    void aFailureUnrelatedToStorageIsNotExplainedAsOne() {
        DataDirectory dir = new DataDirectory(tmp);
        assertEquals(Optional.empty(), dir.checkBeforeStart());
        assertEquals(Optional.empty(), dir.explain(new IOException("address already in use")));
    }
}
