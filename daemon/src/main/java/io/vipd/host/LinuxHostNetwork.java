package io.vipd.host;

import io.vipd.config.AddressText;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link HostNetwork} on Linux: rtnetlink for interfaces and addresses, AF_PACKET for gratuitous ARP. */
public final class LinuxHostNetwork implements HostNetwork {
    private final NetlinkSocket netlink;
    private final Map<Integer, PacketSocket> packetSockets = new HashMap<>();

    public LinuxHostNetwork() throws IOException {
        netlink = new NetlinkSocket();
    }

    @Override
    public List<NetInterface> interfaces() throws IOException {
        List<NetInterface> out = new ArrayList<>();
        for (NetlinkMessage m : netlink.dump(RtnetlinkCodec::dumpLinks, "list interfaces")) {
            NetInterface i = RtnetlinkCodec.decodeLink(m);
            if (i != null) {
                out.add(i);
            }
        }
        return out;
    }

    private NetInterface iface(String name) throws IOException {
        for (NetInterface i : interfaces()) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        throw new NativeSockets.NativeIOException("no interface named " + name + " on this host", LibC.ENODEV);
    }

    @Override
    public List<HostAddress> addresses() throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (NetInterface i : interfaces()) {
            names.put(i.index(), i.name());
        }
        List<HostAddress> out = new ArrayList<>();
        for (NetlinkMessage m : netlink.dump(RtnetlinkCodec::dumpAddresses, "list addresses")) {
            HostAddress a = RtnetlinkCodec.decodeAddress(m, idx -> names.getOrDefault(idx, "if" + idx));
            if (a != null) {
                out.add(a);
            }
        }
        for (NetlinkMessage m : netlink.dump(RtnetlinkCodec::dumpAddresses6, "list IPv6 addresses")) {
            HostAddress a = RtnetlinkCodec.decodeAddress6(m, idx -> names.getOrDefault(idx, "if" + idx));
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    @Override
    public void addAddress(String iface, java.net.InetAddress address, int prefix, int lifetimeSec)
            throws IOException {
        int index = iface(iface).index();
        int seq = netlink.nextSeq();
        netlink.request(address instanceof java.net.Inet6Address v6
                        ? RtnetlinkCodec.newAddress6(seq, index, v6, prefix, lifetimeSec)
                        : RtnetlinkCodec.newAddress(seq, index, (Inet4Address) address, prefix, lifetimeSec), seq,
                "add " + AddressText.of(address) + "/" + prefix + " to " + iface);
    }

    @Override
    public void removeAddress(String iface, java.net.InetAddress address, int prefix) throws IOException {
        int index = iface(iface).index();
        int seq = netlink.nextSeq();
        try {
            netlink.request(address instanceof java.net.Inet6Address v6
                            ? RtnetlinkCodec.deleteAddress6(seq, index, v6, prefix)
                            : RtnetlinkCodec.deleteAddress(seq, index, (Inet4Address) address, prefix), seq,
                    "remove " + AddressText.of(address) + "/" + prefix + " from " + iface);
        } catch (NativeSockets.NativeIOException e) {
            if (e.errno != LibC.EADDRNOTAVAIL) {
                throw e;
            }
        }
    }

    @Override
    public void announce(String iface, java.net.InetAddress address) throws IOException {
        NetInterface i = iface(iface);
        if (i.mac() == null) {
            throw new IOException(iface + " has no Ethernet address to announce from");
        }
        PacketSocket socket = packetSockets.get(i.index());
        if (socket == null) {
            socket = PacketSocket.open(i.index(), false, 0);
            packetSockets.put(i.index(), socket);
        }
        if (address instanceof java.net.Inet6Address v6) {
            socket.send(NdpFrame.unsolicitedAdvertisement(i.mac(), v6), NdpFrame.ALL_NODES_MAC);
        } else {
            socket.send(ArpFrame.gratuitous(i.mac(), (Inet4Address) address));
        }
    }

    @Override
    public void close() {
        packetSockets.values().forEach(PacketSocket::close);
        packetSockets.clear();
        netlink.close();
    }
}
