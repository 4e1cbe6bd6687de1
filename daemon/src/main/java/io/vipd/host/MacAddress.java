package io.vipd.host;

import java.util.Arrays;
import java.util.HexFormat;

/** A 6-byte Ethernet address. */
public final class MacAddress {
    public static final MacAddress BROADCAST = new MacAddress(new byte[] {-1, -1, -1, -1, -1, -1});
    public static final MacAddress ZERO = new MacAddress(new byte[6]);

    private final byte[] bytes;

    public MacAddress(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        this.bytes = bytes.clone();
    }

    public static MacAddress parse(String text) {
        return new MacAddress(HexFormat.ofDelimiter(":").parseHex(text));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
