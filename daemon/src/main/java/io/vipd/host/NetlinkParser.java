package io.vipd.host;

import static io.vipd.host.NetlinkConstants.NLA_F_NESTED;
import static io.vipd.host.NetlinkConstants.NLA_HDRLEN;
import static io.vipd.host.NetlinkConstants.NLA_TYPE_MASK;
import static io.vipd.host.NetlinkConstants.NLMSG_HDRLEN;
import static io.vipd.host.NetlinkConstants.align;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads netlink as the kernel sends it (and as {@link NetlinkBuilder} writes it): a buffer into messages, a payload
 * into attributes. What does not fit — a length shorter than a header or past the end — ends the reading there,
 * keeping what came before; the kernel never sends that, so nothing after it is trusted.
 */
public final class NetlinkParser {
    private NetlinkParser() {}

    /** The messages in the first {@code length} bytes of {@code buf}, each with a copy of its payload. */
    public static List<NetlinkMessage> messages(byte[] buf, int length) {
        List<NetlinkMessage> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
        int pos = 0;
        while (pos + NLMSG_HDRLEN <= length) {
            int len = b.getInt(pos);
            if (len < NLMSG_HDRLEN || pos + len > length) {
                break;
            }
            int type = b.getShort(pos + 4) & 0xffff;
            int flags = b.getShort(pos + 6) & 0xffff;
            int seq = b.getInt(pos + 8);
            // a copy: the caller reuses its receive buffer while a dump is still being collected
            byte[] body = Arrays.copyOfRange(buf, pos + NLMSG_HDRLEN, pos + len);
            out.add(new NetlinkMessage(type, flags, seq, ByteBuffer.wrap(body).order(ByteOrder.nativeOrder())));
            pos += align(len);
        }
        return out;
    }

    /** The attributes in {@code p} from {@code from} (aligned) to {@code to}. */
    static List<NetlinkAttribute> attributes(ByteBuffer p, int from, int to) {
        List<NetlinkAttribute> out = new ArrayList<>();
        for (int pos = from; pos + NLA_HDRLEN <= to; ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0xffff;
            if (len < NLA_HDRLEN || pos + len > to) {
                break;
            }
            byte[] value = new byte[len - NLA_HDRLEN];
            p.get(pos + NLA_HDRLEN, value);
            out.add(new NetlinkAttribute(type & NLA_TYPE_MASK, (type & NLA_F_NESTED) != 0, value));
            pos += align(len);
        }
        return out;
    }
}
