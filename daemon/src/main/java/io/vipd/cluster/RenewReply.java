package io.vipd.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a renewal learns from the leader: the log index of the table it was answered from, the epochs the renewing
 * node owned there, and the leader's view of every member ({@link PeerView}, for status). Encoded by the leader and
 * decoded by the renewing node through {@link Wire}, so a reply that claims more entries than any cluster has is
 * refused rather than allocated.
 */
public record RenewReply(long index, Map<String, Long> owned, Map<String, PeerView> members) {

    public RenewReply {
        owned = Map.copyOf(owned);
        members = Map.copyOf(members);
    }

    public RenewReply(long index, Map<String, Long> owned) {
        this(index, owned, Map.of());
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(index);
            Wire.writeLongs(out, new TreeMap<>(owned));
            Map<String, String> views = new TreeMap<>();
            members.forEach((node, view) -> views.put(node, view.encode()));
            Wire.writeStrings(out, views);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static RenewReply decode(byte[] data) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            long index = in.readLong();
            Map<String, Long> owned = Wire.readLongs(in);
            Map<String, PeerView> members = new TreeMap<>();
            if (in.available() > 0) { // a renewal committed through the log carries no member view
                for (Map.Entry<String, String> e : Wire.readStrings(in).entrySet()) {
                    members.put(e.getKey(), PeerView.decode(e.getValue()));
                }
            }
            if (in.available() > 0) {
                throw new IOException(in.available() + " bytes after the renewal reply");
            }
            return new RenewReply(index, owned, members);
        }
    }
}
