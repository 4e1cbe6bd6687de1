package io.vipd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** RFC 5952's text form, against its own examples. */
class AddressTextTest {
    static String text(String literal) throws Exception {
        return AddressText.of(InetAddress.getByName(literal));
    }

    @Test
    void ipv6IsWrittenAsRfc5952Says() throws Exception {
        assertEquals("2001:db8::100", text("2001:0db8:0000:0000:0000:0000:0000:0100"));
        assertEquals("2001:db8::1", text("2001:DB8:0:0:0:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"), "one zero group stays");
        assertEquals("2001:0:0:1::1", text("2001:0:0:1:0:0:0:1"), "the longest run is shortened");
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"), "the first of equal runs");
        assertEquals("::1", text("::1"));
        assertEquals("fe80::", text("fe80:0:0:0:0:0:0:0"));
        assertEquals("198.18.0.100", text("198.18.0.100"));
    }
}
