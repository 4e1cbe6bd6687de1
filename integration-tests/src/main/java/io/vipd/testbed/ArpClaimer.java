package io.vipd.testbed;

import io.vipd.host.ArpFrame;
import io.vipd.host.MacAddress;
import io.vipd.host.PacketSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.concurrent.TimeUnit;

/**
 * Another ARP responder on the segment, as the conflict watch must see it: sends gratuitous ARP claiming a VIP from
 * a MAC that is no host's, from a raw socket (no address configured anywhere), for a while.
 *
 * <p>Usage: {@code ArpClaimer IFACE VIP MAC SECONDS INTERVAL_MS}; prints {@code claimer: sent=N} at the end.
 */
public final class ArpClaimer {
    private ArpClaimer() {}

    public static void main(String[] args) throws Exception {
        NetworkInterface iface = NetworkInterface.getByName(args[0]);
        Inet4Address vip = (Inet4Address) InetAddress.getByName(args[1]);
        MacAddress mac = MacAddress.parse(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long intervalMs = Long.parseLong(args[4]);
        long sent = 0;
        try (PacketSocket socket = PacketSocket.open(iface.getIndex(), false, 0)) {
            while (System.nanoTime() < deadline) {
                socket.send(ArpFrame.gratuitous(mac, vip));
                sent++;
                Thread.sleep(intervalMs);
            }
        }
        System.out.println("claimer: sent=" + sent);
    }
}
