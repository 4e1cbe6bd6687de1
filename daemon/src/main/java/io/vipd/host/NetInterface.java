package io.vipd.host;

/** A network interface of this host, as rtnetlink reports it. */
public record NetInterface(int index, String name, MacAddress mac, boolean up) {}
