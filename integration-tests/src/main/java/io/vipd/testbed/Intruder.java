package io.vipd.testbed;

import io.vipd.cluster.Command;
import io.vipd.security.PemFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * A host on the segment that is in no configuration and attacks the cluster's Raft port, as the issue that asked
 * for mutual TLS describes: as a Ratis client it drains every node and hands VIPs to no owner, forges renewals for
 * a node, or runs a Raft server that claims a member's id; or it sends garbage bytes. Run in a namespace of the
 * testbed by the security tests; prints one summary line {@code intruder: attempts=N accepted=M}.
 *
 * <p>Usage: {@code Intruder MODE SECONDS CREDENTIALS PEERS VIPS [ARG]} where CREDENTIALS is {@code plain} (no TLS),
 * {@code anonymous} (TLS without a client certificate) or {@code CERT:KEY} (PEM files), PEERS is
 * {@code n1=host:port,...}, VIPS is {@code web,db}, and MODE is {@code drain} (ARG: the node the commands claim
 * to come from), {@code renew} (ARG: whose renewals to forge), {@code server} (ARG: the member id to claim; ARG2:
 * this host's address), {@code garbage}, or {@code arp} (ARG: the VIP addresses).
 */
public final class Intruder {
    private Intruder() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long seconds = Long.parseLong(args[1]);
        Parameters parameters = credentials(args[2]);
        List<RaftPeer> peers = new ArrayList<>();
        for (String p : args[3].split(",")) {
            String[] kv = p.split("=");
            peers.add(RaftPeer.newBuilder().setId(kv[0]).setAddress(kv[1]).build());
        }
        List<String> vips = List.of(args[4].split(","));
        String arg = args.length > 5 ? args[5] : null;
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
                "vipd/vipd".getBytes(StandardCharsets.UTF_8))), peers);
        long[] counts = {0, 0};
        // Counted from here: loading Ratis takes seconds when several intruders start on a busy machine.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        switch (mode) {
            case "drain", "renew" -> {
                try (RaftClient client = client(group, parameters)) {
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                    while (System.nanoTime() < deadline) {
                        List<Command> commands = new ArrayList<>();
                        if (mode.equals("renew")) {
                            commands.add(new Command.Renew(arg));
                        } else {
                            for (RaftPeer p : peers) {
                                commands.add(new Command.Drain(p.getId().toString(), true, System.currentTimeMillis(),
                                        arg, "intruder"));
                                commands.add(new Command.Leave(p.getId().toString(), System.currentTimeMillis()));
                            }
                            for (String vip : vips) {
                                for (long epoch = 0; epoch < 12; epoch++) {
                                    commands.add(new Command.Assign(vip, epoch, 0, null, System.currentTimeMillis(),
                                            "intruder", true));
                                }
                            }
                        }
                        for (Command c : commands) {
                            counts[0]++;
                            if (send(client, c)) {
                                counts[1]++;
                            }
                        }
                        Thread.sleep(50);
                    }
                }
            }
            case "server" -> runServer(group, parameters, arg, args[6], deadline, counts);
            case "garbage" -> garbage(peers, deadline, counts);
            case "arp" -> arp(java.util.Arrays.stream(arg.split(",")).map(Intruder::ipv4).toList(), deadline, counts);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        System.out.println("intruder: attempts=" + counts[0] + " accepted=" + counts[1]);
        System.exit(0);
    }

    private static boolean send(RaftClient client, Command c) {
        try {
            RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(c.encode())));
            return reply.isSuccess();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static RaftClient client(RaftGroup group, Parameters parameters) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
                .setClientId(ClientId.randomId()).setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    /**
     * A Raft server with a member's id but this host's address, without pre-vote: it campaigns with ever higher
     * terms, which without identity checks keeps the real members from committing anything.
     */
    private static void runServer(RaftGroup real, Parameters parameters, String claimedId, String address,
                                  long deadline, long[] counts) throws Exception {
        long started = System.nanoTime();
        List<RaftPeer> peers = new ArrayList<>();
        for (RaftPeer p : real.getPeers()) {
            peers.add(p.getId().toString().equals(claimedId)
                    ? RaftPeer.newBuilder().setId(claimedId).setAddress(address).build() : p);
        }
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        String[] hostPort = address.split(":");
        GrpcConfigKeys.Server.setHost(properties, hostPort[0]);
        GrpcConfigKeys.Server.setPort(properties, Integer.parseInt(hostPort[1]));
        Path storage = Files.createTempDirectory("intruder-raft-");
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage.toFile()));
        RaftServerConfigKeys.LeaderElection.setPreVote(properties, false);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
        try (RaftServer server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(claimedId))
                .setGroup(RaftGroup.valueOf(real.getGroupId(), peers)).setProperties(properties)
                .setParameters(parameters).setStateMachine(new BaseStateMachine()).build()) {
            server.start();
            deadline = System.nanoTime() + (deadline - started); // the campaign's time counts from here
            long lastTerm = -1;
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
                var info = server.getDivision(real.getGroupId()).getInfo();
                long term = info.getCurrentTerm();
                if (term != lastTerm) {
                    counts[0]++; // a campaign
                    lastTerm = term;
                }
                if (info.isLeader()) {
                    counts[1]++; // it won one: the members voted for an impostor
                }
            }
        }
    }

    private static void garbage(List<RaftPeer> peers, long deadline, long[] counts) throws InterruptedException {
        Random random = new Random(7);
        byte[] junk = new byte[16 * 1024];
        while (System.nanoTime() < deadline) {
            for (RaftPeer p : peers) {
                String[] hostPort = p.getAddress().split(":");
                counts[0]++;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 500);
                    s.setSoTimeout(500);
                    OutputStream out = s.getOutputStream();
                    random.nextBytes(junk);
                    out.write(junk);
                    out.flush();
                    if (s.getInputStream().read() >= 0 && s.getInputStream().available() > 1000) {
                        counts[1]++; // a sizeable answer to garbage would be odd
                    }
                } catch (IOException e) {
                    // refused or reset: what garbage deserves
                }
            }
            Thread.sleep(20);
        }
    }

    private static java.net.Inet4Address ipv4(String address) {
        try {
            return (java.net.Inet4Address) java.net.InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /**
     * Malformed and hostile ARP on the segment, for every VIP: truncated frames, wrong hardware and protocol types
     * and lengths, unknown operations, oversized frames, broadcast and multicast senders, and address-conflict
     * probes (sender 0.0.0.0) from random MACs. Nothing here claims a VIP or a member's address: that is a foreign
     * responder, which no protocol can prevent and the conflict watch is for.
     */
    private static void arp(List<java.net.Inet4Address> vips, long deadline, long[] counts) throws Exception {
        java.net.NetworkInterface eth0 = java.net.NetworkInterface.getByName("eth0");
        io.vipd.host.MacAddress own = new io.vipd.host.MacAddress(eth0.getHardwareAddress());
        Random random = new Random(11);
        try (io.vipd.host.PacketSocket socket = io.vipd.host.PacketSocket.open(eth0.getIndex(), false, 0)) {
            while (System.nanoTime() < deadline) {
                for (java.net.Inet4Address vip : vips) {
                    byte[] randomMac = new byte[6];
                    random.nextBytes(randomMac);
                    randomMac[0] &= (byte) 0xfe; // unicast
                    io.vipd.host.MacAddress stranger = new io.vipd.host.MacAddress(randomMac);
                    byte[] probe = io.vipd.host.ArpFrame.request(stranger,
                            (java.net.Inet4Address) java.net.InetAddress.getByName("0.0.0.0"), vip).encode();
                    List<byte[]> frames = new ArrayList<>();
                    frames.add(probe);
                    frames.add(java.util.Arrays.copyOf(probe, 20));            // truncated inside the ARP header
                    frames.add(java.util.Arrays.copyOf(probe, 1514));          // oversized, garbage after ARP
                    byte[] badLengths = probe.clone();
                    badLengths[18] = 16;                                       // hardware address length 16
                    badLengths[19] = 16;                                       // protocol address length 16
                    frames.add(badLengths);
                    byte[] badTypes = probe.clone();
                    badTypes[15] = 6;                                          // hardware type IEEE 802
                    badTypes[16] = (byte) 0x86;                                // protocol type IPv6
                    badTypes[17] = (byte) 0xdd;
                    frames.add(badTypes);
                    byte[] unknownOp = probe.clone();
                    unknownOp[21] = 99;                                        // operation 99
                    frames.add(unknownOp);
                    byte[] broadcastSender = io.vipd.host.ArpFrame.request(io.vipd.host.MacAddress.BROADCAST,
                            (java.net.Inet4Address) java.net.InetAddress.getByName("198.18.0.250"), vip).encode();
                    System.arraycopy(own.bytes(), 0, broadcastSender, 6, 6);   // Ethernet source: this host
                    frames.add(broadcastSender);
                    byte[] junk = new byte[60];
                    random.nextBytes(junk);
                    junk[12] = 0x08;
                    junk[13] = 0x06;                                           // ARP ethertype, random body
                    frames.add(junk);
                    for (byte[] frame : frames) {
                        counts[0]++;
                        socket.send(frame, io.vipd.host.MacAddress.BROADCAST);
                    }
                }
                Thread.sleep(5);
            }
        }
    }

    private static Parameters credentials(String spec) throws Exception {
        Parameters parameters = new Parameters();
        if (spec.equals("plain")) {
            return parameters;
        }
        List<X509Certificate> chain;
        PrivateKey key;
        if (spec.equals("anonymous")) {
            // Its server side needs some certificate; as a client it presents none (mutual TLS off below).
            io.vipd.security.CertificateIssuer issuer = new io.vipd.security.CertificateIssuer();
            io.vipd.security.NodeMaterial own = issuer.issueNode(issuer.newCa("intruder",
                    java.time.Duration.ofDays(1)), "intruder", List.of(), java.time.Duration.ofDays(1));
            chain = List.of(own.cert());
            key = own.key();
        } else {
            String[] files = spec.split(":");
            chain = PemFiles.readCertificates(Path.of(files[0]));
            key = PemFiles.readPrivateKey(Path.of(files[1]));
        }
        KeyManager keys;
        {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "intruder".toCharArray();
            store.setKeyEntry("key", key, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            keys = factory.getKeyManagers()[0];
        }
        GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(keys, new TrustAnything(),
                !spec.equals("anonymous")));
        return parameters;
    }

    /** The intruder does not care whom it talks to. */
    private static final class TrustAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
