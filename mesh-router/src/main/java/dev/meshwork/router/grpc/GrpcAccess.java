package dev.meshwork.router.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.security.Access;
import dev.meshwork.security.AccessControl;
import dev.meshwork.security.Action;
import dev.meshwork.security.Credentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The gRPC side of access control: one interceptor in front of every service. It reads the
 * {@code authorization} and {@code meshwork-namespace} metadata and the TLS session's client
 * certificate, asks {@link AccessControl} once per call, and puts the result in the call's gRPC
 * {@link Context}, where services read the namespace on the transport thread. Each method's action
 * is declared in one table here; a method missing from it needs admin (closed by default). Health
 * and reflection stay open. Runs on transport threads and never waits.
 */
public final class GrpcAccess implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> NAMESPACE = Metadata.Key.of("meshwork-namespace", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Access> ACCESS = Context.key("meshwork-access");
    private static final List<String> TARGET_FIELDS = List.of("model_id", "vmodel_id", "model_name", "name");

    private record Rule(Action action, boolean listing) {
    }

    private static final Map<String, Rule> RULES = rules();
    private final AccessControl control;

    public GrpcAccess(AccessControl control) {
        this.control = control;
    }

    private static Map<String, Rule> rules() {
        Map<String, Rule> m = new HashMap<>();
        Rule open = new Rule(null, false);
        for (MethodDescriptor<?, ?> d : List.of(GRPCInferenceServiceGrpc.getServerLiveMethod(), GRPCInferenceServiceGrpc.getServerReadyMethod(),
                GRPCInferenceServiceGrpc.getServerMetadataMethod())) {
            m.put(d.getFullMethodName(), open);
        }
        for (MethodDescriptor<?, ?> d : List.of(GRPCInferenceServiceGrpc.getModelInferMethod(), GRPCInferenceServiceGrpc.getModelStreamInferMethod(),
                GRPCInferenceServiceGrpc.getModelMetadataMethod(), GRPCInferenceServiceGrpc.getModelReadyMethod())) {
            m.put(d.getFullMethodName(), new Rule(Action.INFER, false));
        }
        m.put(GRPCInferenceServiceGrpc.getRepositoryIndexMethod().getFullMethodName(), new Rule(Action.VIEW, true));
        for (MethodDescriptor<?, ?> d : List.of(GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod(),
                GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod(), ModelMeshGrpc.getRegisterModelMethod(),
                ModelMeshGrpc.getUnregisterModelMethod(), ModelMeshGrpc.getEnsureLoadedMethod(), ModelMeshGrpc.getSetVModelMethod(),
                ModelMeshGrpc.getDeleteVModelMethod())) {
            m.put(d.getFullMethodName(), new Rule(Action.DEPLOY, false));
        }
        for (MethodDescriptor<?, ?> d : List.of(ModelMeshGrpc.getGetModelStatusMethod(), ModelMeshGrpc.getGetVModelStatusMethod())) {
            m.put(d.getFullMethodName(), new Rule(Action.VIEW, false));
        }
        return Map.copyOf(m);
    }

    /** The checked access of the call whose context is current (read it on the transport thread). */
    static Access current() {
        return ACCESS.get();
    }

    /** The registry id of {@code name} in the current call's namespace. */
    static String id(String name) {
        Access a = ACCESS.get();
        return a == null || name == null || name.isEmpty() ? name : ModelSpec.qualify(a.namespace(), name);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.startsWith("grpc.health.") || method.startsWith("grpc.reflection.")) {
            return next.startCall(call, headers);
        }
        Rule rule = RULES.getOrDefault(method, new Rule(Action.ADMIN, true));
        if (rule.action() == null) {
            return next.startCall(call, headers);
        }
        Access access;
        try {
            access = control.check(new Credentials(Credentials.bearerOf(headers.get(AUTHORIZATION)), clientCertificates(call)),
                    headers.get(NAMESPACE), rule.action(), rule.listing(), method, "grpc");
        } catch (RuntimeException e) {
            call.close(GrpcErrors.toStatus(e).getStatus(), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        ServerCall<Q, R> audited = rule.action().changes() ? new Audited<>(call, access, rule.action(), method) : call;
        ServerCall.Listener<Q> listener = Contexts.interceptCall(Context.current().withValue(ACCESS, access), audited, headers, next);
        return audited instanceof Audited<Q, R> a ? a.listen(listener) : listener;
    }

    private static List<X509Certificate> clientCertificates(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return List.of();
        }
        try {
            Certificate[] certs = session.getPeerCertificates();
            return java.util.Arrays.stream(certs).filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** A call that changes the mesh: its target is read from its message and its outcome audited when it closes. */
    private final class Audited<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final Access access;
        private final Action action;
        private final String method;
        private volatile String target = "";

        Audited(ServerCall<Q, R> call, Access access, Action action, String method) {
            super(call);
            this.access = access;
            this.action = action;
            this.method = method;
        }

        ServerCall.Listener<Q> listen(ServerCall.Listener<Q> next) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next) {
                @Override
                public void onMessage(Q message) {
                    if (message instanceof Message m) {
                        target = targetOf(m);
                    }
                    super.onMessage(message);
                }
            };
        }

        @Override
        public void close(Status status, Metadata trailers) {
            control.audited(access, action, method + (target.isEmpty() ? "" : " " + target),
                    status.isOk() ? "ok" : "failed:" + status.getCode(), "grpc");
            super.close(status, trailers);
        }
    }

    private static String targetOf(Message m) {
        for (String field : TARGET_FIELDS) {
            Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
            if (f != null && f.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING) {
                return (String) m.getField(f);
            }
        }
        return "";
    }
}
