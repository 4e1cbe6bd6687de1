package io.vipd.host;

import java.net.Inet4Address;

/** An IPv4 or IPv6 address configured on an interface of this host. */
public record HostAddress(int ifindex, String iface, java.net.InetAddress address, int prefix) {}
