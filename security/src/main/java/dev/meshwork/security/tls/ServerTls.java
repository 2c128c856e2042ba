package dev.meshwork.security.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A listener's TLS, made once from the {@code tls} block and shared by the REST and gRPC listeners
 * of a process: the reloading key manager, the reloading client-CA trust manager (null without
 * mTLS) and whether a client certificate is required.
 */
public record ServerTls(ReloadingKeyManager keyManager, ReloadingTrustManager trustManager, boolean requireClientCertificate) {
    /** The same TLS as gRPC server credentials. */
    public ServerCredentials grpcCredentials() {
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(keyManager);
        if (trustManager != null) {
            b.trustManager(trustManager).clientAuth(requireClientCertificate
                    ? TlsServerCredentials.ClientAuth.REQUIRE : TlsServerCredentials.ClientAuth.OPTIONAL);
        }
        return b.build();
    }

    /** The TLS of a {@code tls} block, or null when it turns TLS off. */
    public static ServerTls of(TlsConfig config, MeterRegistry metrics) {
        if (!config.enabled()) {
            return null;
        }
        ReloadingTrustManager trust = config.mutual() ? new ReloadingTrustManager("tls.clientCaFile", config.clientCaFile(), config.reloadMs(), metrics) : null;
        return new ServerTls(new ReloadingKeyManager(config, metrics), trust, config.clientAuth().equals("require"));
    }
}
