package dev.meshwork.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM keys in the forms cert-manager and openssl write, and rotation without restart. */
class ReloadingKeyManagerTest {
    @TempDir
    Path dir;

    @Test
    void everyKeyEncodingIsRead() {
        TestCertificates ca = TestCertificates.authority(dir);
        GeneralNames sans = new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost"));
        for (boolean rsa : new boolean[] {false, true}) {
            for (boolean pkcs8 : new boolean[] {false, true}) {
                TestCertificates.Issued c = ca.issue("k-" + rsa + "-" + pkcs8, "CN=x", sans, pkcs8, rsa);
                ReloadingKeyManager km = new ReloadingKeyManager(new TlsConfig(c.certFile().toString(), c.keyFile().toString(), "", "require", 10),
                        new SimpleMeterRegistry());
                assertThat(km.currentChain()[0]).isEqualTo(c.certificate());
                assertThat(signsFor(km.getPrivateKey(km.chooseServerAlias("EC", null, null)), c)).isTrue();
            }
        }
    }

    /** Whether the key read from the file signs what the certificate's public key verifies. */
    private static boolean signsFor(java.security.PrivateKey key, TestCertificates.Issued c) {
        try {
            String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            java.security.Signature s = java.security.Signature.getInstance(alg);
            s.initSign(key);
            s.update(new byte[] {1, 2, 3});
            byte[] sig = s.sign();
            java.security.Signature v = java.security.Signature.getInstance(alg);
            v.initVerify(c.certificate().getPublicKey());
            v.update(new byte[] {1, 2, 3});
            return v.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aMismatchedOrEncryptedKeyIsRefusedAtStart() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir);
        TestCertificates.Issued a = ca.server("a", "a");
        TestCertificates.Issued rsa = ca.issue("r", "CN=r", new GeneralNames(new GeneralName(GeneralName.dNSName, "r")), true, true);
        assertThatThrownBy(() -> new ReloadingKeyManager(new TlsConfig(a.certFile().toString(), rsa.keyFile().toString(), "", "require", 10),
                new SimpleMeterRegistry())).hasMessageContaining("does not belong to the certificate");
        Path enc = dir.resolve("enc.key");
        Files.writeString(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new ReloadingKeyManager(new TlsConfig(a.certFile().toString(), enc.toString(), "", "require", 10),
                new SimpleMeterRegistry())).hasMessageContaining("the private key is encrypted");
    }

    @Test
    void aRenewedCertificateIsServedAndABrokenOneKeepsTheLast() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir);
        TestCertificates.Issued first = ca.server("first", "mesh");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.copy(first.certFile(), cert);
        Files.copy(first.keyFile(), key);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        ReloadingKeyManager km = new ReloadingKeyManager(new TlsConfig(cert.toString(), key.toString(), "", "require", 10), metrics);
        String firstAlias = km.chooseEngineServerAlias("EC", null, null);

        TestCertificates.Issued second = ca.server("second", "mesh");
        Files.copy(second.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(second.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(5)).until(() -> km.currentChain()[0].equals(second.certificate()));
        assertThat(km.chooseEngineServerAlias("EC", null, null)).isNotEqualTo(firstAlias); // caches keyed by alias see a new one

        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            km.currentChain();
            return metrics.counter("meshwork_security_reload_failures", "file", "tls.certFile").count() == 1;
        });
        assertThat(km.currentChain()[0]).isEqualTo(second.certificate());
    }
}
