package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;

/** {@link Fence} with nftables, spoken over NETLINK_NETFILTER (see {@link NftablesEncoder} for the rules). */
public final class NftablesFence implements Fence {
    private static final int ENOENT = 2;
    private final NetlinkSocket socket;
    /** Whether the fence has its ip6 table: since it last guarded an IPv6 VIP. */
    private boolean ipv6;

    public NftablesFence() throws IOException {
        socket = new NetlinkSocket(NetlinkConstants.NETLINK_NETFILTER);
    }

    /** Builds a batch at the socket's next sequence number, sends it, waits for every acknowledgement. */
    private void run(java.util.function.IntFunction<byte[]> build, String what) throws IOException {
        int seq = socket.nextSeq();
        byte[] batch = build.apply(seq);
        socket.batch(batch, seq, NftablesEncoder.acknowledged(batch), what);
        skip(batch);
    }

    @Override
    public void install(List<? extends java.net.InetAddress> vips) throws IOException {
        run(seq -> NftablesEncoder.setup(seq, vips), "install nftables fence");
        ipv6 = NftablesEncoder.anyIpv6(vips);
    }

    @Override
    public void lease(Map<? extends java.net.InetAddress, Long> timeoutsMs) throws IOException {
        run(seq -> NftablesEncoder.lease(seq, timeoutsMs, ipv6), "renew fence leases");
    }

    @Override
    public void guard(List<? extends java.net.InetAddress> vips) throws IOException {
        if (!ipv6 && NftablesEncoder.anyIpv6(vips)) { // a reload brought the first IPv6 VIP
            run(seq -> NftablesEncoder.setupIpv6(seq, vips), "install the nftables fence's ip6 table");
            ipv6 = true;
        }
        run(seq -> NftablesEncoder.guard(seq, vips, ipv6), "update the fenced VIPs");
    }

    @Override
    public List<String> tables() throws IOException {
        List<String> out = new java.util.ArrayList<>();
        List<NetlinkMessage> answer;
        try {
            answer = socket.dump(NftablesEncoder::listTables, "list nftables tables");
        } catch (NativeSockets.NativeIOException e) {
            if (e.errno == ENOENT) {
                return out; // what this kernel answers when the ruleset is empty (seen after nft flush ruleset)
            }
            throw e;
        }
        for (NetlinkMessage m : answer) {
            String t = NftablesEncoder.decodeTable(m);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public java.util.Set<String> ownTables() {
        return NftablesEncoder.ownTables(ipv6);
    }

    @Override
    public void remove() throws IOException {
        boolean withIpv6 = ipv6 || tables().contains("ip6 " + NftablesEncoder.TABLE); // one an earlier run left
        run(seq -> NftablesEncoder.teardown(seq, withIpv6), "remove nftables fence");
    }

    /** Keeps the socket's sequence numbers past those the batch used. */
    private void skip(byte[] batch) {
        for (int i = NetlinkParser.messages(batch, batch.length).size(); i > 1; i--) {
            socket.nextSeq();
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
