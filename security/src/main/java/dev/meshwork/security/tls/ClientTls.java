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

    /**
     * TLS for the JDK's HTTP client that trusts the servers {@code caFile} signs (PEM), the file
     * re-read when it changes (a renewed Secret); {@code what} names the setting in messages.
     */
    public static javax.net.ssl.SSLContext trusting(String what, String caFile, long reloadMs) {
        try {
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {new ReloadingTrustManager(what, caFile, reloadMs,
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry())}, null);
            return tls;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " " + caFile + ": " + e.getMessage(), e);
        }
    }
}
