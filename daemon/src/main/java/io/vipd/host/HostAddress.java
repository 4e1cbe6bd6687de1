package io.vipd.host;

import java.net.Inet4Address;

/** An IPv4 address configured on an interface of this host. */
public record HostAddress(int ifindex, String iface, Inet4Address address, int prefix) {}
