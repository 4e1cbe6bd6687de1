package io.vipd.host;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One attribute of a received message: its type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER flags, whether it
 * was marked nested, and its value (without header or padding).
 */
public record NetlinkAttribute(int type, boolean nested, byte[] value) {
    /** The value up to its first NUL (a C string), as UTF-8. */
    public String string() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** A 32-bit value in network byte order (nftables). */
    public int be32() {
        return ByteBuffer.wrap(value).getInt();
    }

    /** A 32-bit value in host byte order (rtnetlink). */
    public int u32() {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    /** The attributes inside this one. */
    public List<NetlinkAttribute> children() {
        return NetlinkParser.attributes(ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()), 0, value.length);
    }
}
