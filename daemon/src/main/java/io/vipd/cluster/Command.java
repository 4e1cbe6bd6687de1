package io.vipd.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The entries of the replicated log. Encoded compactly; decoding rejects anything malformed. */
public sealed interface Command {
    /** A node confirms, through a majority, that it is alive and may keep answering for what it owns. */
    record Renew(String node) implements Command {}

    /**
     * Compare-and-set of a VIP's owner: applied only if the VIP's epoch is still {@code expectedEpoch}, so a decision
     * taken on a stale view (an old leader's, or one overtaken by another change) is discarded, never applied.
     *
     * @param owner the new owner, or null to leave the VIP unowned
     */
    record Assign(String vip, long expectedEpoch, String owner, long wallMillis, String reason) implements Command {}

    /**
     * A node that is shutting down has already removed its addresses and gives up everything it owns, so the VIPs
     * move at once instead of after the failover timeout.
     */
    record Leave(String node, long wallMillis) implements Command {}

    byte RENEW = 1;
    byte ASSIGN = 2;
    byte LEAVE = 3;

    default byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (this instanceof Renew r) {
                out.writeByte(RENEW);
                out.writeUTF(r.node());
            } else if (this instanceof Assign a) {
                out.writeByte(ASSIGN);
                out.writeUTF(a.vip());
                out.writeLong(a.expectedEpoch());
                out.writeUTF(a.owner() == null ? "" : a.owner());
                out.writeLong(a.wallMillis());
                out.writeUTF(a.reason());
            } else if (this instanceof Leave l) {
                out.writeByte(LEAVE);
                out.writeUTF(l.node());
                out.writeLong(l.wallMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory stream
        }
        return bytes.toByteArray();
    }

    static Command decode(byte[] data) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte type = in.readByte();
            Command c = switch (type) {
                case RENEW -> new Renew(in.readUTF());
                case ASSIGN -> {
                    String vip = in.readUTF();
                    long epoch = in.readLong();
                    String owner = in.readUTF();
                    yield new Assign(vip, epoch, owner.isEmpty() ? null : owner, in.readLong(), in.readUTF());
                }
                case LEAVE -> new Leave(in.readUTF(), in.readLong());
                default -> throw new IOException("unknown command type " + type);
            };
            if (in.available() != 0) {
                throw new IOException("trailing bytes after command " + c);
            }
            return c;
        }
    }
}
