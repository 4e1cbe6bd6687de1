package io.vipd.cluster;

import io.vipd.security.PeerRefusalLog;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCall;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * Binds every request on the Raft port to the node id in the sender's TLS certificate. The TLS handshake already
 * proved the sender holds a certificate of the cluster CA naming a configured member; this check makes sure it acts
 * only as that member: a Raft server RPC must claim the certificate's id, a client write must be one that
 * {@link CommandAuthority} lets that node submit, and of Ratis's admin calls only those vipd itself uses pass
 * (leadership transfer, group info). Anything else is refused with PERMISSION_DENIED before Ratis sees it.
 */
public final class PeerIdentityCheck implements ServerInterceptor {
    private final String self;
    /** The configured member id a certificate names, or null if it names none (or several). */
    private final Function<X509Certificate, String> memberOf;
    private final PeerRefusalLog refusals;
    /** Told each member (id, host:port) of a membership change this server receives, before Ratis sees it. */
    private final java.util.function.BiConsumer<String, String> admit;

    public PeerIdentityCheck(String self, Function<X509Certificate, String> memberOf, PeerRefusalLog refusals) {
        this(self, memberOf, refusals, (id, address) -> { });
    }

    public PeerIdentityCheck(String self, Function<X509Certificate, String> memberOf, PeerRefusalLog refusals,
                             java.util.function.BiConsumer<String, String> admit) {
        this.self = self;
        this.memberOf = memberOf;
        this.refusals = refusals;
        this.admit = admit;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                        ServerCallHandler<Q, A> next) {
        String remote = host(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        String sender = sender(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (sender == null) {
            String why = "no certificate naming a cluster member";
            refusals.refused(remote, why);
            call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Guarded<Q, A> guarded = new Guarded<>(call);
        ServerCall.Listener<Q> delegate = next.startCall(guarded, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                if (guarded.refused) {
                    return;
                }
                Refusal refusal = judge(message, sender);
                if (refusal == null) {
                    super.onMessage(message);
                } else {
                    if (refusal.staleLeader()) {
                        // A leader that lost leadership between deciding and submitting: Ratis retried its write
                        // on the new leader. Expected around every election, so not a warning.
                        STALE.info("discarded an assignment from {} at {}: {}", sender, remote, refusal.why());
                    } else {
                        refusals.refused(sender + " at " + remote, refusal.why());
                    }
                    guarded.refuse(Status.PERMISSION_DENIED.withDescription(refusal.why()));
                }
            }

            @Override
            public void onHalfClose() {
                if (!guarded.refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The peer's address without its port: one refusal log line per host, not per connection. */
    private static String host(SocketAddress address) {
        return address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    private static final org.slf4j.Logger STALE = org.slf4j.LoggerFactory.getLogger(PeerIdentityCheck.class);

    private String sender(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? memberOf.apply(leaf) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /**
     * Why a refused message was refused, and whether it is the expected race around an election: a write only a
     * leader makes (a placement) from a member that is no longer leader.
     */
    record Refusal(String why, boolean staleLeader) {
        static Refusal of(String why) {
            return why == null ? null : new Refusal(why, false);
        }
    }

    /** Null if {@code sender} may send {@code message}; otherwise why not. Fails closed on anything unknown. */
    String refusal(Object message, String sender) {
        Refusal refusal = judge(message, sender);
        return refusal == null ? null : refusal.why();
    }

    Refusal judge(Object message, String sender) {
        if (message instanceof AppendEntriesRequestProto m) {
            return Refusal.of(claimed(m.getServerRequest(), sender));
        }
        if (message instanceof RequestVoteRequestProto m) {
            return Refusal.of(claimed(m.getServerRequest(), sender));
        }
        if (message instanceof InstallSnapshotRequestProto m) {
            return Refusal.of(claimed(m.getServerRequest(), sender));
        }
        if (message instanceof StartLeaderElectionRequestProto m) {
            return Refusal.of(claimed(m.getServerRequest(), sender));
        }
        if (message instanceof ReadIndexRequestProto m) {
            return Refusal.of(claimed(m.getServerRequest(), sender));
        }
        if (message instanceof RaftClientRequestProto m) {
            return clientRequest(m, sender);
        }
        if (message instanceof SetConfigurationRequestProto m) {
            return Refusal.of(membershipChange(m, sender));
        }
        if (message instanceof TransferLeadershipRequestProto || message instanceof GroupInfoRequestProto
                || message instanceof GroupListRequestProto) {
            return null;
        }
        return Refusal.of("vipd does not accept " + message.getClass().getSimpleName() + " on its Raft port");
    }

    /**
     * A membership change, which any member may relay for its operator (as a move or a drain), but only as vipd
     * makes it: compare-and-set against the membership the operator saw. Its new members are admitted to this
     * node's TLS trust before Ratis sees the request, so that this node, when it leads, can reach them to catch
     * them up before the change is proposed; the trust keeps them only while the change may still commit.
     */
    private String membershipChange(SetConfigurationRequestProto m, String sender) {
        if (m.getMode() != SetConfigurationRequestProto.Mode.COMPARE_AND_SET) {
            return "vipd changes membership only compare-and-set against the current one (" + sender + " sent "
                    + m.getMode() + ")";
        }
        java.util.stream.Stream.concat(m.getPeersList().stream(), m.getListenersList().stream())
                .forEach(p -> admit.accept(p.getId().toStringUtf8(), p.getAddress()));
        return null;
    }

    private static String claimed(RaftRpcRequestProto request, String sender) {
        String claimed = request.getRequestorId().toStringUtf8();
        return sender.equals(claimed) ? null
                : "certificate names " + sender + " but the request claims to come from " + claimed;
    }

    private Refusal clientRequest(RaftClientRequestProto request, String sender) {
        if (!request.hasWrite()) {
            if (request.hasRead() || request.hasStaleRead()) {
                return Refusal.of(CommandAuthority.queryRefusal(request.getMessage().getContent().toByteArray(),
                        sender));
            }
            return request.hasWatch() ? null
                    : Refusal.of("vipd does not accept this kind of client request (" + request.getTypeCase() + ")");
        }
        Command command;
        try {
            command = Command.decode(request.getMessage().getContent().toByteArray());
        } catch (java.io.EOFException e) {
            return Refusal.of("malformed command: truncated"); // EOFException has no message: this said "null"
        } catch (IOException | RuntimeException e) {
            return Refusal.of("malformed command: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        String why = CommandAuthority.refusal(command, sender, self);
        boolean leaderOnly = command instanceof Command.Assign || command instanceof Command.Assignments
                || command instanceof Command.Together t && !t.moved()
                || command instanceof Command.Released r && !r.node().equals(sender);
        return why == null ? null : new Refusal(why, leaderOnly);
    }

    /** Lets the service use the call until it is refused; after that, what the service sends is dropped. */
    private static final class Guarded<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private volatile boolean refused;

        Guarded(ServerCall<Q, A> call) {
            super(call);
        }

        synchronized void refuse(Status status) {
            if (!refused) {
                refused = true;
                super.close(status, new Metadata());
            }
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!refused) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(A message) {
            if (!refused) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!refused) {
                refused = true;
                super.close(status, trailers);
            }
        }
    }
}
