package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;

/** The kernel-side fence: which VIPs this host may answer for, each until a deadline the kernel enforces itself. */
public interface Fence extends AutoCloseable {
    /** Closes the fence for every VIP in {@code vips} (creating it anew). */
    void install(List<? extends java.net.InetAddress> vips) throws IOException;

    /** Opens the fence for exactly these VIPs, each for the given milliseconds; closes it for every other VIP. */
    void lease(Map<? extends java.net.InetAddress, Long> timeoutsMs) throws IOException;

    /** Changes which VIPs the fence guards (a reload), keeping the current leases: no held VIP blinks. */
    void guard(List<? extends java.net.InetAddress> vips) throws IOException;

    /** Every nftables table on this host, "family name" (vipd's own among them while the fence stands). */
    List<String> tables() throws IOException;

    /** The tables this fence consists of, named as {@link #tables} names them. */
    java.util.Set<String> ownTables();

    /** Removes the fence altogether (the host no longer runs vipd). */
    void remove() throws IOException;

    @Override
    void close();
}
