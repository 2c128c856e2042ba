package dev.meshwork.security.tls;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A client's TLS from the same {@code tls} block a listener uses: it trusts the servers that
 * {@code serverCaFile} signs and presents {@code certFile}/{@code keyFile} (when given) as its own
 * identity, both re-read when their files change.
 */
public final class ClientTls {
    private ClientTls() {
    }

    /** gRPC channel credentials for a {@code tls} block, or null when it turns TLS off. */
    public static ChannelCredentials credentials(TlsConfig config, MeterRegistry metrics) {
        if (!config.enabled() && config.serverCaFile().isEmpty()) {
            return null;
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (!config.serverCaFile().isEmpty()) {
            b.trustManager(new ReloadingTrustManager("tls.serverCaFile", config.serverCaFile(), config.reloadMs(), metrics));
        }
        if (config.enabled()) {
            b.keyManager(new ReloadingKeyManager(config, metrics));
        }
        return b.build();
    }
}
