package io.vipd.cluster;

import io.vipd.config.Peer;
import io.vipd.config.VipdConfig;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcTlsConfig;
import io.vipd.security.PeerTls;
import org.apache.ratis.grpc.GrpcConfigKeys;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.JavaUtils;
import org.apache.ratis.util.TimeDuration;

/** This node's member of the Ratis group (gRPC transport), and a client to submit commands to the group. */
public final class ClusterNode implements Consensus, Closeable {
    private final RaftGroup group;
    private final RaftServer server;
    private final RaftClient client;
    /** Sends leader checks to one follower at a time: no retries, a check that fails just says no. */
    private final RaftClient checker;
    /** Per follower: the thread that checks it, and whether a check of it is running. */
    private final Map<String, java.util.concurrent.ExecutorService> checkers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final LeadershipConfirmation confirmation;
    /** The Ratis configuration {@link #membership} last translated, and the translation. */
    private volatile org.apache.ratis.server.RaftConfiguration membershipOf;
    private volatile Membership membership;
    private volatile RenewalDesk desk;
    private final RaftProperties adminProperties = new RaftProperties();
    private final String selfId;
    private final java.util.concurrent.ExecutorService submitters;
    private final VipStateMachine stateMachine;
    /** Ratis's transport parameters: TLS contexts and the identity check, shared by the server and its clients. */
    private final Parameters parameters;

    /**
     * @param tls this node's TLS for Raft traffic, or null when the configuration says {@code insecure = true}
     */
    public ClusterNode(VipdConfig config, VipStateMachine stateMachine, PeerTls tls) throws IOException {
        this.stateMachine = stateMachine;
        this.parameters = parameters(config.nodeId(), tls);
        List<RaftPeer> peers = config.peers().stream().map(RatisMembership::raftPeer).toList();
        group = RaftGroup.valueOf(groupId(config.clusterName()), peers);
        // One thread per renewal that may be in flight, plus placements and the leave request.
        int threads = config.timing().maxRenewalsInFlight() + 4;
        submitters = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vipd-raft-client");
            t.setDaemon(true);
            return t;
        });

        RaftConfigKeys.Rpc.setType(adminProperties, SupportedRpcType.GRPC);
        selfId = config.nodeId();
        RaftProperties properties = RatisSettings.of(config);

        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        client = RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                .setParameters(parameters)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(5, ms(20)))
                .build();
        checker = RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                .setParameters(parameters)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
        confirmation = new LeadershipConfirmation(selfId, new FollowerChecks(this::sendCheck));
        stateMachine.answerQueriesWith(new VipStateMachine.Queries() {
            @Override
            public CompletableFuture<byte[]> renew(String node) {
                return serveRenewal(node);
            }

            @Override
            public boolean follows(long term, String leader) {
                return info().map(i -> i.isFollower() && i.getCurrentTerm() == term && i.getLeaderId() != null
                        && i.getLeaderId().toString().equals(leader)).orElse(false);
            }
        });
    }

    /** Renewals are confirmed by this desk while this node leads (set once the agent starts). */
    public void serveRenewalsWith(RenewalDesk desk) {
        this.desk = desk;
    }

    /**
     * The leader's answer to a renewal: only once a round of leader checks that began after it arrived confirmed
     * this node still leads ({@link LeadershipConfirmation}), the desk records it and answers.
     */
    private CompletableFuture<byte[]> serveRenewal(String node) {
        RenewalDesk d = desk;
        Optional<DivisionInfo> info = info();
        if (d == null || info.isEmpty() || !info.get().isLeader() || !info.get().isLeaderReady()) {
            return JavaUtils.completeExceptionally(new IOException(selfId + " is not a ready leader"));
        }
        long term = info.get().getCurrentTerm();
        // A leadership is confirmed by a majority of the voters (of both sides while the membership changes):
        // listeners have no say in who leads.
        List<java.util.Set<String>> quorums = membership().map(Membership::quorums).orElse(List.of());
        if (quorums.isEmpty()) {
            return JavaUtils.completeExceptionally(new IOException(selfId + " knows no membership"));
        }
        return confirmation.confirm(term, quorums).thenApply(confirmed -> {
            if (!confirmed) {
                throw new java.util.concurrent.CompletionException(new IOException(
                        "no majority confirmed " + selfId + " as leader of term " + term));
            }
            try {
                return d.serve(node, term, stateMachine.view()).encode();
            } catch (RenewalDesk.Refused e) {
                throw new java.util.concurrent.CompletionException(new IOException(e.getMessage()));
            }
        });
    }

    /**
     * Sends one leader check as a blocking Ratis stale read on the follower's own thread, so a follower that does
     * not answer (dead, paused, reconnecting) delays no check of the others; {@link FollowerChecks} keeps at most
     * one running and one waiting per follower. (Ratis's asynchronous stale read is no way out: it goes through an
     * ordered sliding window that closes for good on the first failure.)
     */
    private CompletableFuture<Boolean> sendCheck(String follower, LeaderCheck check) {
        java.util.concurrent.ExecutorService thread;
        try {
            thread = checkers.computeIfAbsent(follower, f -> java.util.concurrent.Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "vipd-leader-check-" + f);
                        t.setDaemon(true);
                        return t;
                    }));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(false);
        }
        Message message = Message.valueOf(ByteString.copyFrom(check.encode()));
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    RaftClientReply reply = checker.io().sendStaleRead(message, 0, RaftPeerId.valueOf(follower));
                    answer.complete(reply.isSuccess() && reply.getMessage() != null
                            && reply.getMessage().getContent().size() == 1
                            && reply.getMessage().getContent().byteAt(0) == 1);
                } catch (IOException | RuntimeException e) {
                    answer.complete(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            answer.complete(false);
        }
        return answer;
    }

    /** Whether {@code t} is Ratis saying a file of its log or snapshot failed its checksum or format. */
    public static boolean reportsDamagedLog(Throwable t) {
        return t instanceof org.apache.ratis.io.CorruptedFileException
                || t instanceof org.apache.ratis.protocol.exceptions.ChecksumException;
    }

    /**
     * Mutual TLS on every Raft connection, in and out, with the peer's certificate checked against the cluster CA
     * and the member list ({@link PeerTls}); and on the server, every request bound to the id in its sender's
     * certificate ({@link PeerIdentityCheck}).
     */
    private static Parameters parameters(String selfId, PeerTls tls) {
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(tls.keys(), tls.trust(), true));
            PeerIdentityCheck check = new PeerIdentityCheck(selfId, tls.trust()::memberOf, tls.refusals(),
                    tls::admit);
            // A connection that has not finished its TLS handshake in 5 s is dropped, so half-open connections from
            // a host without a certificate do not pile up; request headers are tiny in Ratis, so 16 KiB is plenty.
            GrpcConfigKeys.Server.setServicesCustomizer(parameters, (builder, types) -> builder.intercept(check)
                    .handshakeTimeout(5, TimeUnit.SECONDS).maxInboundMetadataSize(16 * 1024));
        }
        return parameters;
    }

    /** The group id is derived from the cluster name, so every node of a cluster computes the same one. */
    static RaftGroupId groupId(String clusterName) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("vipd/" + clusterName).getBytes(StandardCharsets.UTF_8)));
    }

    private static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }

    public void start() throws IOException {
        server.start();
    }

    @Override
    public long lastLogIndex() {
        try {
            org.apache.ratis.server.protocol.TermIndex last = server.getDivision(group.getGroupId()).getRaftLog()
                    .getLastEntryTermIndex();
            return last == null ? -1 : last.getIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Submits a command to the group. Uses the blocking API on a small pool of its own: Ratis's ordered async
     * client closes for good after one request exhausts its retries, which a partition makes routine.
     */
    @Override
    public CompletableFuture<Outcome> submit(Command command) {
        Message message = Message.valueOf(ByteString.copyFrom(command.encode()));
        return onSubmitter(() -> client.io().send(message));
    }

    /** A blocking client call, made on a submitter thread; its outcome, failed if it threw or the pool is closed. */
    private CompletableFuture<Outcome> onSubmitter(BlockingCall call) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        try {
            submitters.execute(() -> {
                try {
                    outcome.complete(outcome(call.send()));
                } catch (IOException | RuntimeException e) {
                    outcome.complete(Outcome.failed(describe(e)));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            outcome.complete(Outcome.failed("closed"));
        }
        return outcome;
    }

    /** The error and, for Ratis's "failed after N attempts", what the last attempt failed with. */
    static String describe(Throwable e) {
        Throwable cause = e.getCause();
        return cause == null || cause == e ? e.toString() : e + " (last attempt: " + cause + ")";
    }

    @FunctionalInterface
    private interface BlockingCall {
        RaftClientReply send() throws IOException;
    }

    private static Outcome outcome(RaftClientReply reply) {
        return reply.isSuccess()
                ? new Outcome(true, reply.getMessage() == null ? new byte[0]
                        : reply.getMessage().getContent().toByteArray(), null)
                : Outcome.failed(String.valueOf(reply.getException()));
    }

    /** A lease renewal: a read-only request to the leader, answered without a log entry. */
    @Override
    public CompletableFuture<Outcome> renew(String node) {
        Message message = Message.valueOf(ByteString.copyFrom(new Command.Renew(node).encode()));
        return onSubmitter(() -> client.io().sendReadOnly(message));
    }

    /**
     * The membership in this node's Raft configuration (which the log sets: the file's peers only until the first
     * membership change). Translated once per configuration; a new one is also made known to this node's clients,
     * so leader checks and commands reach members the file does not name.
     */
    @Override
    public Optional<Membership> membership() {
        try {
            org.apache.ratis.server.RaftConfiguration conf = server.getDivision(group.getGroupId()).getRaftConf();
            if (conf != membershipOf) {
                Membership m = RatisMembership.of(conf);
                if (m.peers().isEmpty()) {
                    // Ratis's placeholder before the server has read its storage: no membership known yet
                    return Optional.ofNullable(membership);
                }
                java.util.List<RaftPeer> all = m.everyone().stream().map(RatisMembership::raftPeer).toList();
                client.getClientRpc().addRaftPeers(all);
                checker.getClientRpc().addRaftPeers(all);
                membership = m;
                membershipOf = conf;
            }
            return Optional.ofNullable(membership);
        } catch (IOException | RuntimeException e) {
            return Optional.ofNullable(membership);
        }
    }

    /**
     * Ratis's setConfiguration, compare-and-set against {@code from}: the leader first catches new members up, then
     * commits the joint configuration and then the new one. Sent through an admin client that knows every member
     * of both sides, so it finds the leader whoever that is.
     */
    @Override
    public Outcome changeMembership(Membership from, List<Peer> to, long timeoutMs) {
        List<RaftPeer> everyone = new java.util.ArrayList<>(from.everyone().stream().map(RatisMembership::raftPeer)
                .toList());
        to.stream().filter(p -> !from.contains(p.id())).map(RatisMembership::raftPeer).forEach(everyone::add);
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, ms(timeoutMs));
        org.apache.ratis.protocol.SetConfigurationRequest.Arguments arguments = RatisMembership.change(from, to);
        try (RaftClient admin = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(group.getGroupId(), everyone))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, ms(200))).build()) {
            return outcome(admin.admin().setConfiguration(arguments));
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(describe(e));
        }
    }

    @Override
    public Outcome transferLeadershipTo(String peer, long timeoutMs) {
        List<RaftPeer> everyone = membership().map(m -> m.everyone().stream().map(RatisMembership::raftPeer).toList())
                .orElse(group.getPeers().stream().toList());
        try (RaftClient admin = RaftClient.newBuilder().setProperties(adminProperties).setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(group.getGroupId(), everyone)).build()) {
            return outcome(admin.admin().transferLeadership(RaftPeerId.valueOf(peer), timeoutMs));
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(e.toString());
        }
    }

    private Optional<DivisionInfo> info() {
        try {
            return Optional.of(server.getDivision(group.getGroupId()).getInfo());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the server runs, how far its log is appended and written to disk, and why snapshots keep failing (or
     * null): what RaftServerWatch judges.
     */
    public record Sample(boolean alive, long lastIndex, long flushIndex, String snapshotFailure) {}

    public Sample sample() {
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            org.apache.ratis.server.protocol.TermIndex last = division.getRaftLog().getLastEntryTermIndex();
            return new Sample(division.getInfo().isAlive(), last == null ? -1 : last.getIndex(),
                    division.getRaftLog().getFlushIndex(), stateMachine.snapshotFailure());
        } catch (IOException | RuntimeException e) {
            return new Sample(false, -1, -1, null);
        }
    }

    /**
     * Leader only: its commit index and each follower's match index (empty when this node is not leader). Ratis
     * lists followers and their match indexes in the same order (both come from its log appenders).
     */
    @Override
    public Optional<Replication> replication() {
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            long[] match = division.getInfo().getFollowerMatchIndices();
            RoleInfoProto role = division.getInfo().getRoleInfoProto();
            if (match == null || !role.hasLeaderInfo()
                    || role.getLeaderInfo().getFollowerInfoCount() != match.length) {
                return Optional.empty();
            }
            java.util.Map<String, Long> followers = new java.util.TreeMap<>();
            java.util.Map<String, Long> answeredMsAgo = new java.util.TreeMap<>();
            for (int i = 0; i < match.length; i++) {
                ServerRpcProto f = role.getLeaderInfo().getFollowerInfo(i);
                followers.put(f.getId().getId().toStringUtf8(), match[i]);
                answeredMsAgo.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
            }
            return Optional.of(new Replication(division.getRaftLog().getLastCommittedIndex(), followers,
                    answeredMsAgo));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean isLeaderReady() {
        return info().map(i -> i.isLeader() && i.isLeaderReady()).orElse(false);
    }

    @Override
    public boolean isFollower() {
        return info().map(DivisionInfo::isFollower).orElse(false);
    }

    @Override
    public Optional<String> leader() {
        return info().map(i -> i.getLeaderId() == null ? null : i.getLeaderId().toString());
    }

    @Override
    public String role() {
        if (!sample().alive()) {
            return info().isPresent() ? "STOPPED" : "STARTING";
        }
        return info().map(i -> i.getRoleInfoProto().getRole().name()).orElse("STARTING");
    }

    @Override
    public long term() {
        return info().map(DivisionInfo::getCurrentTerm).orElse(0L);
    }

    @Override
    public long commitIndex() {
        try {
            return server.getDivision(group.getGroupId()).getRaftLog().getLastCommittedIndex();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public long appliedIndex() {
        return info().map(DivisionInfo::getLastAppliedIndex).orElse(-1L);
    }

    @Override
    public Map<String, Long> followersLastAnsweredMs() {
        Map<String, Long> out = new TreeMap<>();
        info().map(DivisionInfo::getRoleInfoProto).filter(r -> r.getRole() == RaftPeerRole.LEADER)
                .ifPresent(r -> r.getLeaderInfo().getFollowerInfoList().forEach(f -> out.put(
                        f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs())));
        return out;
    }

    @Override
    public void close() throws IOException {
        submitters.shutdownNow();
        checkers.values().forEach(java.util.concurrent.ExecutorService::shutdownNow);
        try {
            checker.close();
            client.close();
        } finally {
            server.close();
        }
    }
}
