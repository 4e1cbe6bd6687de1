package io.vipd.host;

/**
 * A network interface of this host, as rtnetlink reports it.
 *
 * @param up      administratively up (IFF_UP)
 * @param carrier the link has carrier (IFF_LOWER_UP): a cable, or a veth whose peer is up
 */
public record NetInterface(int index, String name, MacAddress mac, boolean up, boolean carrier) {

    /** An interface that is up with carrier. */
    public NetInterface(int index, String name, MacAddress mac, boolean up) {
        this(index, name, mac, up, up);
    }

    /** "up", or why the link cannot carry traffic, as nodes report it to the group. */
    public String linkState() {
        return !up ? "down" : !carrier ? "no carrier" : "up";
    }
}
