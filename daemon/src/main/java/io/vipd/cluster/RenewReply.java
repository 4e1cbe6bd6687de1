package io.vipd.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * What a renewal learns from the state machine: the log index it committed at and the epochs the renewing node
 * owned there. Encoded by the state machine's apply and decoded by the renewing node; both go through {@link Wire},
 * so a reply that claims more entries than any cluster has is refused rather than allocated.
 */
public record RenewReply(long index, Map<String, Long> owned) {

    public RenewReply {
        owned = Map.copyOf(owned);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(index);
            Wire.writeLongs(out, new java.util.TreeMap<>(owned));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static RenewReply decode(byte[] data) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            long index = in.readLong();
            Map<String, Long> owned = Wire.readLongs(in);
            if (in.available() > 0) {
                throw new IOException(in.available() + " bytes after the renewal reply");
            }
            return new RenewReply(index, owned);
        }
    }
}
