package io.vipd.cluster;

import java.lang.reflect.Proxy;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.Status;

/** Fakes of gRPC's server call and service, and of a TLS session, for {@link PeerIdentityCheckTest}. */
final class GrpcFakes {
    private GrpcFakes() {}

    /** A server call that fails as gRPC's does when used after it was closed. */
    static final class FakeCall extends ServerCall<Object, Object> {
        final Attributes attributes;
        final List<Status> closed = new ArrayList<>();
        final List<Object> sent = new ArrayList<>();

        FakeCall(Attributes attributes) {
            this.attributes = attributes;
        }

        @Override
        public void request(int n) {}

        @Override
        public void sendHeaders(Metadata headers) {
            sent.add("headers");
        }

        @Override
        public void sendMessage(Object message) {
            if (!closed.isEmpty()) {
                throw new IllegalStateException("call is closed");
            }
            sent.add(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (!closed.isEmpty()) {
                throw new IllegalStateException("call already closed");
            }
            closed.add(status);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<Object, Object> getMethodDescriptor() {
            return null;
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }
    }

    /** A service that records what reaches it and keeps the call it was given. */
    static final class FakeService implements ServerCallHandler<Object, Object> {
        ServerCall<Object, Object> call;
        final List<String> saw = new ArrayList<>();

        @Override
        public ServerCall.Listener<Object> startCall(ServerCall<Object, Object> call, Metadata headers) {
            this.call = call;
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(Object message) {
                    saw.add(message.getClass().getSimpleName());
                }

                @Override
                public void onHalfClose() {
                    saw.add("half-close");
                }

                @Override
                public void onComplete() {
                    saw.add("complete");
                }
            };
        }
    }

    /** A TLS session whose peer presented {@code cert}; none (unverified peer) if null. */
    static SSLSession session(X509Certificate cert) {
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getPeerCertificates" -> {
                        if (cert == null) {
                            throw new SSLPeerUnverifiedException("peer not authenticated");
                        }
                        yield new Certificate[] {cert};
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake session";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
