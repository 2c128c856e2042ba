package dev.meshwork.security.grpc;

import dev.meshwork.security.ClusterSecret;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who may call an internal listener (a node's API, a runtime-server). Over mTLS the caller's
 * verified certificate must name an allowed identity (its CN or a DNS SAN, checked by
 * {@code allowed} with the method); without TLS the call must carry the cluster secret. Health and
 * reflection stay open. Runs on transport threads; reads nothing but the call's attributes.
 */
public final class CallerCheck implements ServerInterceptor {
    /** The metadata key internal calls carry the cluster secret in. */
    public static final Metadata.Key<String> SECRET = Metadata.Key.of("meshwork-cluster-secret", Metadata.ASCII_STRING_MARSHALLER);
    private final BiPredicate<String, String> allowed;
    private final ClusterSecret secret;

    /**
     * @param allowed (method, caller name) -> whether that caller may call that method; null accepts
     *                any certificate the TLS layer verified
     * @param secret  the cluster secret calls without a client certificate must carry; null for none
     */
    public CallerCheck(BiPredicate<String, String> allowed, ClusterSecret secret) {
        this.allowed = allowed;
        this.secret = secret;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.startsWith("grpc.health.") || method.startsWith("grpc.reflection.")) {
            return next.startCall(call, headers);
        }
        List<String> names = callerNames(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (!names.isEmpty()) {
            if (allowed == null || names.stream().anyMatch(n -> allowed.test(method, n))) {
                return next.startCall(call, headers);
            }
            return refuse(call, Status.PERMISSION_DENIED.withDescription("the caller's certificate (" + names.get(0) + ") may not call "
                    + method + " here"));
        }
        if (secret == null || secret.matches(headers.get(SECRET))) {
            return next.startCall(call, headers);
        }
        return refuse(call, Status.UNAUTHENTICATED.withDescription("internal calls need the cluster's client certificate or its secret"
                + " (cluster.secretFile)"));
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** The CN and DNS SANs of the verified client certificate; empty without one. */
    static List<String> callerNames(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        try {
            X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
            return names(leaf);
        } catch (SSLPeerUnverifiedException | ClassCastException e) {
            return List.of();
        }
    }

    /** A certificate's CN and DNS subject alternative names, the names identities are checked against. */
    public static List<String> names(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    out.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException ignored) {
            // no CN to offer
        }
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                cert.getSubjectAlternativeNames().stream().filter(n -> Integer.valueOf(2).equals(n.get(0))).forEach(n -> out.add(String.valueOf(n.get(1))));
            }
        } catch (CertificateParsingException ignored) {
            // the CN stands alone
        }
        return out;
    }
}
