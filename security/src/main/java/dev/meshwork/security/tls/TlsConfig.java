package dev.meshwork.security.tls;

import dev.meshwork.config.ConfigCheck;
import java.util.List;

/**
 * The one shape of TLS settings, for every listener and every client ({@code tls.*}). PEM files, as
 * cert-manager and Kubernetes secrets hold them; each is read again when it changes.
 *
 * @param certFile     the certificate chain, leaf first (empty: no TLS)
 * @param keyFile      its private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA or SEC1 EC
 * @param clientCaFile the CA certificates that sign accepted client certificates; set, it turns on mTLS
 * @param clientAuth   with a client CA: {@code require} (no certificate, no connection) or {@code optional}
 * @param serverCaFile for a client (a router dialing nodes, a node dialing a runtime-server): the CA certificates
 *                     that sign the servers it dials; empty trusts the JDK's default CAs
 * @param reloadMs     how often the files are checked for changes (0: the default, 1000)
 */
public record TlsConfig(String certFile, String keyFile, String clientCaFile, String clientAuth, String serverCaFile, long reloadMs) {
    public TlsConfig(String certFile, String keyFile, String clientCaFile, String clientAuth, long reloadMs) {
        this(certFile, keyFile, clientCaFile, clientAuth, "", reloadMs);
    }

    public TlsConfig {
        // a tls block inside a YAML list entry (node.externalRuntimes[].tls) gets no defaults from the loader: fill them here
        certFile = certFile == null ? "" : certFile;
        keyFile = keyFile == null ? "" : keyFile;
        clientCaFile = clientCaFile == null ? "" : clientCaFile;
        clientAuth = clientAuth == null ? "require" : clientAuth;
        serverCaFile = serverCaFile == null ? "" : serverCaFile;
        reloadMs = reloadMs == 0 ? 1000 : reloadMs;
        ConfigCheck.require(certFile.isEmpty() == keyFile.isEmpty(), "tls.certFile and tls.keyFile go together: give both or neither");
        ConfigCheck.fileOrEmpty("tls.certFile", certFile, "PEM file");
        ConfigCheck.fileOrEmpty("tls.keyFile", keyFile, "PEM file");
        ConfigCheck.fileOrEmpty("tls.clientCaFile", clientCaFile, "PEM file");
        ConfigCheck.fileOrEmpty("tls.serverCaFile", serverCaFile, "PEM file");
        ConfigCheck.require(clientCaFile.isEmpty() || !certFile.isEmpty(), "tls.clientCaFile needs tls.certFile and tls.keyFile (mTLS is TLS first)");
        ConfigCheck.oneOf("tls.clientAuth", clientAuth, List.of("require", "optional"));
        ConfigCheck.atLeast("tls.reloadMs", reloadMs, 10);
    }

    public static TlsConfig defaults() {
        return new TlsConfig("", "", "", "require", "", 1000);
    }

    public boolean enabled() {
        return !certFile.isEmpty();
    }

    public boolean mutual() {
        return !clientCaFile.isEmpty();
    }
}
