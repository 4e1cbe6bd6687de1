package io.vipd.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The leader asks a follower "are you still in {@code term}, following {@code leader}?": the round that confirms a
 * leadership without a log entry ({@link LeadershipConfirmation}). Not a log entry; a query answered from the
 * follower's own Raft state. Its first byte differs from every {@link Command}'s.
 */
public record LeaderCheck(long term, String leader) {
    static final byte TYPE = 100;

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(TYPE);
            out.writeLong(term);
            out.writeUTF(leader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Whether {@code data} is a leader check (rather than a renewal). */
    public static boolean is(byte[] data) {
        return data.length > 0 && data[0] == TYPE;
    }

    public static LeaderCheck decode(byte[] data) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readByte() != TYPE) {
                throw new IOException("not a leader check");
            }
            LeaderCheck check = new LeaderCheck(in.readLong(), in.readUTF());
            if (in.available() != 0) {
                throw new IOException("trailing bytes after " + check);
            }
            return check;
        }
    }
}
