package io.vipd.cluster;

import static io.vipd.cluster.GrpcFakes.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.GrpcFakes.FakeCall;
import io.vipd.cluster.GrpcFakes.FakeService;
import io.vipd.security.CaMaterial;
import io.vipd.security.CertificateIssuer;
import io.vipd.security.NodeNames;
import io.vipd.security.PeerRefusalLog;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.ClientMessageEntryProto;
import org.apache.ratis.proto.RaftProtos.DataStreamRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.ForwardRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.MessageStreamRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.StaleReadRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.proto.RaftProtos.WatchRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.WriteRequestTypeProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Every request on the Raft port acts only as the member its sender's certificate names (self is n1). */
class PeerIdentityCheckTest {
    static final List<String> MEMBERS = List.of("n1", "n2", "n3");
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final CaMaterial CA = ISSUER.newCa("prod", Duration.ofDays(10));
    static final Function<X509Certificate, String> MEMBER_OF = c -> NodeNames.nodeIdIn(c, MEMBERS).orElse(null);

    final PeerRefusalLog refusals = new PeerRefusalLog(System::nanoTime);
    /** Members of membership changes the check let through, "id@address". */
    final List<String> admitted = new java.util.ArrayList<>();
    final PeerIdentityCheck check = new PeerIdentityCheck("n1", MEMBER_OF, refusals,
            (id, address) -> admitted.add(id + "@" + address));

    static RaftRpcRequestProto from(String id) {
        return RaftRpcRequestProto.newBuilder().setRequestorId(ByteString.copyFromUtf8(id)).build();
    }

    /** Each Raft server RPC vipd's peers send, claiming to come from {@code id}. */
    static List<Object> serverRpcs(String id) {
        return List.of(AppendEntriesRequestProto.newBuilder().setServerRequest(from(id)).build(),
                RequestVoteRequestProto.newBuilder().setServerRequest(from(id)).build(),
                InstallSnapshotRequestProto.newBuilder().setServerRequest(from(id)).build(),
                StartLeaderElectionRequestProto.newBuilder().setServerRequest(from(id)).build(),
                ReadIndexRequestProto.newBuilder().setServerRequest(from(id)).build());
    }

    static RaftClientRequestProto.Builder client(byte[] content) {
        return RaftClientRequestProto.newBuilder().setRpcRequest(from("client-1"))
                .setMessage(ClientMessageEntryProto.newBuilder().setContent(ByteString.copyFrom(content)));
    }

    static RaftClientRequestProto write(byte[] content) {
        return client(content).setWrite(WriteRequestTypeProto.getDefaultInstance()).build();
    }

    static RaftClientRequestProto write(Command command) {
        return write(command.encode());
    }

    @Test
    void raftServerRpcsMustClaimTheCertificatesId() {
        for (Object rpc : serverRpcs("n2")) {
            String type = rpc.getClass().getSimpleName();
            assertNull(check.refusal(rpc, "n2"), type);
            assertEquals("certificate names n3 but the request claims to come from n2", check.refusal(rpc, "n3"),
                    type);
        }
        for (Object rpc : serverRpcs("")) {
            assertEquals("certificate names n2 but the request claims to come from ", check.refusal(rpc, "n2"));
        }
    }

    @Test
    void clientWritesAreJudgedByCommandAuthority() {
        assertNull(check.refusal(write(new Command.Renew("n2")), "n2"));
        assertEquals("n3 may renew only for itself, not for n2", check.refusal(write(new Command.Renew("n2")), "n3"));
        Command.Assign assign = new Command.Assign("web", 3, 0, "n2", 0, "failover");
        assertNull(check.refusal(write(assign), "n1"));
        assertEquals("only the leader's own placement may assign VIPs; n2 is not the leader (n1 is)",
                check.refusal(write(assign), "n2"));
        assertEquals("n2 may leave only for itself, not for n3",
                check.refusal(write(new Command.Leave("n3", 0)), "n2"));
        assertNull(check.refusal(write(new Command.Health("n2", Map.of("web", ""))), "n2"));
        assertNull(check.refusal(write(new Command.Move("web", 3, "n3", 0, "n2", "root")), "n2"));
    }

    @Test
    void aPlacementFromAFormerLeaderIsTheExpectedElectionRaceNotAnAttack() {
        Command.Assign assign = new Command.Assign("web", 3, 0, "n2", 0, "failover");
        PeerIdentityCheck.Refusal race = check.judge(write(assign), "n2");
        assertTrue(race.staleLeader(), race.toString());
        PeerIdentityCheck.Refusal releasedForOther = check.judge(write(new Command.Released("web", 3, "n3", "x")), "n2");
        assertTrue(releasedForOther.staleLeader(), releasedForOther.toString());
        PeerIdentityCheck.Refusal forged = check.judge(write(new Command.Renew("n2")), "n3");
        assertFalse(forged.staleLeader(), "a forged renewal is logged as a refusal");
        assertFalse(check.judge(write(new byte[] {99}), "n2").staleLeader());
        assertNull(check.judge(write(assign), "n1"), "the leader's own placement passes");
    }

    @Test
    void malformedWritesAreRefused() {
        assertEquals("malformed command: truncated", check.refusal(write(new byte[0]), "n2"));
        assertEquals("malformed command: truncated", check.refusal(write(new byte[] {Command.RENEW}), "n2"));
        assertEquals("malformed command: unknown command type 99", check.refusal(write(new byte[] {99}), "n2"));
        byte[] renew = new Command.Renew("n2").encode();
        byte[] trailing = Arrays.copyOf(renew, renew.length + 1);
        assertTrue(check.refusal(write(trailing), "n2").startsWith("malformed command: trailing bytes"));
    }

    @Test
    void readsAreRenewalsForTheSenderItselfOrItsOwnLeaderChecks() {
        byte[] renewN3 = new Command.Renew("n3").encode();
        assertNull(check.refusal(client(renewN3).setRead(ReadRequestTypeProto.getDefaultInstance()).build(), "n3"));
        assertEquals("n2 may renew only for itself, not for n3", check.refusal(client(renewN3)
                .setRead(ReadRequestTypeProto.getDefaultInstance()).build(), "n2"));
        byte[] checkN3 = new LeaderCheck(4, "n3").encode();
        assertNull(check.refusal(client(checkN3).setStaleRead(StaleReadRequestTypeProto.getDefaultInstance())
                .build(), "n3"));
        assertEquals("n2 may check only its own leadership, not n3's", check.refusal(client(checkN3)
                .setStaleRead(StaleReadRequestTypeProto.getDefaultInstance()).build(), "n2"));
        assertEquals("malformed query: unknown command type 99", check.refusal(client(new byte[] {99, 1, 2})
                .setRead(ReadRequestTypeProto.getDefaultInstance()).build(), "n3"));
        assertEquals("vipd answers no query Leave", check.refusal(client(new Command.Leave("n3", 0).encode())
                .setRead(ReadRequestTypeProto.getDefaultInstance()).build(), "n3"));
        assertNull(check.refusal(client(new byte[] {99}).setWatch(WatchRequestTypeProto.getDefaultInstance())
                .build(), "n3"), "a watch carries no command");
    }

    @Test
    void otherClientRequestsAreRefused() {
        byte[] renew = new Command.Renew("n3").encode();
        assertEquals("vipd does not accept this kind of client request (MESSAGESTREAM)", check.refusal(client(renew)
                .setMessageStream(MessageStreamRequestTypeProto.getDefaultInstance()).build(), "n3"));
        assertEquals("vipd does not accept this kind of client request (DATASTREAM)", check.refusal(client(renew)
                .setDataStream(DataStreamRequestTypeProto.getDefaultInstance()).build(), "n3"));
        assertEquals("vipd does not accept this kind of client request (FORWARD)", check.refusal(client(renew)
                .setForward(ForwardRequestTypeProto.getDefaultInstance()).build(), "n3"));
        assertEquals("vipd does not accept this kind of client request (TYPE_NOT_SET)",
                check.refusal(client(renew).build(), "n3"));
    }

    @Test
    void onlyTheAdminCallsVipdUsesPass() {
        assertNull(check.refusal(TransferLeadershipRequestProto.getDefaultInstance(), "n2"));
        assertNull(check.refusal(GroupInfoRequestProto.getDefaultInstance(), "n2"));
        assertNull(check.refusal(GroupListRequestProto.getDefaultInstance(), "n2"));
        for (Object admin : List.of(GroupManagementRequestProto.getDefaultInstance(),
                SnapshotManagementRequestProto.getDefaultInstance(),
                LeaderElectionManagementRequestProto.getDefaultInstance(), "a string")) {
            assertEquals("vipd does not accept " + admin.getClass().getSimpleName() + " on its Raft port",
                    check.refusal(admin, "n1"));
        }
    }

    @Test
    void aMembershipChangePassesOnlyCompareAndSetAndAdmitsItsNewMembersFirst() {
        assertEquals("vipd changes membership only compare-and-set against the current one (n2 sent "
                + "SET_UNCONDITIONALLY)", check.refusal(SetConfigurationRequestProto.getDefaultInstance(), "n2"));
        assertEquals(List.of(), admitted);
        SetConfigurationRequestProto change = SetConfigurationRequestProto.newBuilder()
                .setMode(SetConfigurationRequestProto.Mode.COMPARE_AND_SET)
                .addPeers(org.apache.ratis.proto.RaftProtos.RaftPeerProto.newBuilder()
                        .setId(ByteString.copyFromUtf8("n4")).setAddress("198.18.0.4:7400"))
                .addListeners(org.apache.ratis.proto.RaftProtos.RaftPeerProto.newBuilder()
                        .setId(ByteString.copyFromUtf8("n5")).setAddress("198.18.0.5:7400"))
                .build();
        assertNull(check.refusal(change, "n2"));
        assertEquals(List.of("n4@198.18.0.4:7400", "n5@198.18.0.5:7400"), admitted);
    }

    // ---- the interceptor on a call, with fakes of gRPC's call and service and of the TLS session ----

    static FakeCall call(SSLSession session) {
        Attributes.Builder a = Attributes.newBuilder()
                .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, new InetSocketAddress("198.18.0.2", 40000));
        return new FakeCall((session == null ? a : a.set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session)).build());
    }

    static X509Certificate cert(String id) {
        return ISSUER.issueNode(CA, id, List.of(), Duration.ofDays(1)).cert();
    }

    @Test
    void aCallWithoutAMembersCertificateIsClosedUnauthenticatedAndNeverStarted() {
        for (SSLSession s : new SSLSession[] {null, session(null), session(cert("n9"))}) {
            FakeCall call = call(s);
            FakeService service = new FakeService();
            ServerCall.Listener<Object> listener = check.interceptCall(call, new Metadata(), service);
            assertEquals(1, call.closed.size());
            assertEquals(Status.Code.UNAUTHENTICATED, call.closed.get(0).getCode());
            assertEquals("no certificate naming a cluster member", call.closed.get(0).getDescription());
            assertNull(service.call, "the service was started");
            listener.onMessage(serverRpcs("n2").get(0));
            listener.onHalfClose();
        }
        assertEquals(3, refusals.total());
    }

    @Test
    void aMembersRequestsReachTheServiceAndItsRepliesTheCaller() {
        FakeCall call = call(session(cert("n2")));
        FakeService service = new FakeService();
        ServerCall.Listener<Object> listener = check.interceptCall(call, new Metadata(), service);
        listener.onMessage(serverRpcs("n2").get(0));
        listener.onMessage(write(new Command.Renew("n2")));
        listener.onHalfClose();
        service.call.sendHeaders(new Metadata());
        service.call.sendMessage("reply");
        service.call.close(Status.OK, new Metadata());
        listener.onComplete();
        assertEquals(List.of("AppendEntriesRequestProto", "RaftClientRequestProto", "half-close", "complete"),
                service.saw);
        assertEquals(List.of("headers", "reply"), call.sent);
        assertEquals(List.of(Status.OK), call.closed);
        assertEquals(0, refusals.total());
    }

    @Test
    void aRefusedRequestClosesTheCallAndNothingMoreReachesEitherSide() {
        FakeCall call = call(session(cert("n2")));
        FakeService service = new FakeService();
        ServerCall.Listener<Object> listener = check.interceptCall(call, new Metadata(), service);
        listener.onMessage(serverRpcs("n2").get(0)); // a stream may start well
        listener.onMessage(serverRpcs("n3").get(0));
        assertEquals(1, call.closed.size());
        assertEquals(Status.Code.PERMISSION_DENIED, call.closed.get(0).getCode());
        assertEquals("certificate names n2 but the request claims to come from n3",
                call.closed.get(0).getDescription());
        listener.onMessage(serverRpcs("n2").get(0));
        listener.onHalfClose();
        // the service, unaware, answers what it got: dropped, not an exception
        service.call.sendHeaders(new Metadata());
        service.call.sendMessage("reply");
        service.call.close(Status.OK, new Metadata());
        listener.onComplete();
        assertEquals(List.of("AppendEntriesRequestProto", "complete"), service.saw);
        assertEquals(List.of(), call.sent);
        assertEquals(1, call.closed.size());
        assertEquals(1, refusals.total());
    }

    @Test
    void aRefusedFirstRequestNeverReachesTheService() {
        FakeCall call = call(session(cert("n3")));
        FakeService service = new FakeService();
        ServerCall.Listener<Object> listener = check.interceptCall(call, new Metadata(), service);
        listener.onMessage(write(new Command.Renew("n2")));
        listener.onHalfClose();
        assertEquals(List.of(), service.saw);
        assertEquals(Status.Code.PERMISSION_DENIED, call.closed.get(0).getCode());
        assertEquals(1, refusals.total());
    }

    @Test
    void aFormerLeadersAssignmentIsRefusedWithoutAWarning() {
        FakeCall call = call(session(cert("n3")));
        FakeService service = new FakeService();
        ServerCall.Listener<Object> listener = check.interceptCall(call, new Metadata(), service);
        listener.onMessage(write(new Command.Assign("web", 3, 0, "n3", 0, "mine")));
        listener.onHalfClose();
        assertEquals(List.of(), service.saw);
        assertEquals(Status.Code.PERMISSION_DENIED, call.closed.get(0).getCode());
        assertEquals(0, refusals.total(), "the race around an election is not counted as a hostile peer");
    }
}
