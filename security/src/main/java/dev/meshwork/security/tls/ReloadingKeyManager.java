package dev.meshwork.security.tls;

import dev.meshwork.security.WatchedFile;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The listener's certificate and key, taken from their PEM files at each handshake, so a renewed
 * certificate is served without a restart (a broken pair keeps the last good one). Each reading
 * gets a new alias: TLS stacks that cache key material by alias (Netty's OpenSSL) then pick up the
 * new one. Handshake threads (event loops, gRPC transport threads) call it; it never blocks them
 * beyond a file stat once per {@code reloadMs}.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final AtomicLong GENERATION = new AtomicLong();

    private record Loaded(String alias, X509KeyManager manager) {
    }

    private final WatchedFile<Loaded> current;

    public ReloadingKeyManager(TlsConfig config, MeterRegistry metrics) {
        this.current = new WatchedFile<>("tls.certFile", List.of(Path.of(config.certFile()), Path.of(config.keyFile())),
                b -> load(b.get(0), b.get(1)), config.reloadMs(), metrics);
    }

    private static Loaded load(byte[] certPem, byte[] keyPem) {
        List<X509Certificate> chain = PemFiles.certificates(certPem);
        PrivateKey key = PemFiles.privateKey(keyPem);
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm().replace("RSASSA-PSS", "RSA"))) {
            throw new IllegalArgumentException("the key (" + key.getAlgorithm() + ") does not belong to the certificate ("
                    + chain.get(0).getPublicKey().getAlgorithm() + ")");
        }
        String alias = "meshwork-" + GENERATION.incrementAndGet();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, key, new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(store, new char[0]);
            return new Loaded(alias, (X509KeyManager) f.getKeyManagers()[0]);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("the certificate and key cannot be used together: " + e.getMessage());
        }
    }

    /** The chain served now (what a rotation test compares). */
    public X509Certificate[] currentChain() {
        Loaded l = current.get();
        return l.manager().getCertificateChain(l.alias());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return current.get().alias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return current.get().alias();
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return current.get().alias();
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return current.get().alias();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {current.get().alias()};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {current.get().alias()};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Loaded l = current.get();
        return l.alias().equals(alias) ? l.manager().getCertificateChain(alias) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Loaded l = current.get();
        return l.alias().equals(alias) ? l.manager().getPrivateKey(alias) : null;
    }
}
