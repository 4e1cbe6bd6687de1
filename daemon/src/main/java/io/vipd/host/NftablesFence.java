package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;

/** {@link Fence} with nftables, spoken over NETLINK_NETFILTER (see {@link NftFence} for the rules). */
public final class NftablesFence implements Fence {
    private final NetlinkSocket socket;

    public NftablesFence() throws IOException {
        socket = new NetlinkSocket(NftFence.NETLINK_NETFILTER);
    }

    private void run(byte[] batch, int seq, String what) throws IOException {
        socket.batch(batch, seq, NftFence.acknowledged(batch), what);
    }

    @Override
    public void install(List<Inet4Address> vips) throws IOException {
        int seq = socket.nextSeq();
        byte[] batch = NftFence.setup(seq, vips);
        run(batch, seq, "install nftables fence");
        skip(batch);
    }

    @Override
    public void lease(Map<Inet4Address, Long> timeoutsMs) throws IOException {
        int seq = socket.nextSeq();
        byte[] batch = NftFence.lease(seq, timeoutsMs);
        run(batch, seq, "renew fence leases");
        skip(batch);
    }

    @Override
    public void guard(List<Inet4Address> vips) throws IOException {
        int seq = socket.nextSeq();
        byte[] batch = NftFence.guard(seq, vips);
        run(batch, seq, "update the fenced VIPs");
        skip(batch);
    }

    @Override
    public void remove() throws IOException {
        int seq = socket.nextSeq();
        byte[] batch = NftFence.teardown(seq);
        run(batch, seq, "remove nftables fence");
        skip(batch);
    }

    /** Keeps the socket's sequence numbers past those the batch used. */
    private void skip(byte[] batch) {
        for (int i = NetlinkCodec.split(batch, batch.length).size(); i > 1; i--) {
            socket.nextSeq();
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
