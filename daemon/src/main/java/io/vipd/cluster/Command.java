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
     * Compare-and-set of a VIP's owner: applied only if the VIP's epoch is still {@code expectedEpoch} and its
     * current owner has committed exactly {@code ownerRenewals} renewals, so a decision taken on a stale view is
     * discarded, never applied. The renewal count matters: a renewal the leader had not yet seen when it decided
     * "the owner stopped renewing" may commit just before this entry and give the owner a fresh lease.
     *
     * @param owner         the new owner, or null to leave the VIP unowned
     * @param ownerRenewals the current owner's renewal count the decision was based on (ignored if no owner)
     */
    record Assign(String vip, long expectedEpoch, long ownerRenewals, String owner, long wallMillis, String reason)
            implements Command {}

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
                out.writeLong(a.ownerRenewals());
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
                    long renewals = in.readLong();
                    String owner = in.readUTF();
                    yield new Assign(vip, epoch, renewals, owner.isEmpty() ? null : owner, in.readLong(),
                            in.readUTF());
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
