package dev.meshwork.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made at test time (nothing committed expires): a CA, and server and client
 * certificates it signs, written as PEM files the way cert-manager writes them. Keys are ECDSA
 * P-256 unless RSA is asked for; {@code pkcs8=false} writes the traditional PKCS#1 / SEC1 forms.
 */
public final class TestCertificates {
    /** A certificate, its key, and where their PEM files are. */
    public record Issued(X509Certificate certificate, KeyPair keys, Path certFile, Path keyFile) {
    }

    private final Issued ca;
    private final Path dir;
    private long serial = 1;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        KeyPair keys = ecKeys();
        X500Name name = new X500Name("CN=Meshwork Test CA");
        X509v3CertificateBuilder b = builder(name, name, keys, Duration.ofDays(2))
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate cert = sign(b, keys);
        this.ca = write("ca", cert, keys, true);
    }

    /** A new CA whose files go to {@code dir}. */
    public static TestCertificates authority(Path dir) {
        try {
            Files.createDirectories(dir);
            return new TestCertificates(dir);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    public Issued ca() {
        return ca;
    }

    /**
     * A server certificate for {@code commonName} (also a DNS name: a node's id), {@code localhost} and
     * {@code 127.0.0.1}, written as {@code <file>.crt} / {@code <file>.key}.
     */
    public Issued server(String file, String commonName) {
        return issue(file, "CN=" + commonName, new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, commonName),
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}), true, false);
    }

    /** A client certificate with {@code subject} and a DNS SAN {@code san}. */
    public Issued client(String file, String subject, String san) {
        return issue(file, subject, new GeneralNames(new GeneralName(GeneralName.dNSName, san)), true, false);
    }

    /** A certificate with chosen key encoding and algorithm (PEM-reader tests). */
    public Issued issue(String file, String subject, GeneralNames sans, boolean pkcs8, boolean rsa) {
        try {
            KeyPair keys = rsa ? rsaKeys() : ecKeys();
            X509v3CertificateBuilder b = builder(new X500Name(ca.certificate().getSubjectX500Principal().getName()), new X500Name(subject),
                    keys, Duration.ofDays(1)).addExtension(Extension.subjectAlternativeName, false, sans);
            return write(file, sign(b, ca.keys()), keys, pkcs8);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** A client-side SSL context that trusts this CA and, given {@code client}, presents it. */
    public SSLContext sslContext(Issued client) {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (client != null) {
                java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", client.keys().getPrivate(), new char[0], new X509Certificate[] {client.certificate(), ca.certificate()});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration valid) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime() + serial++), Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(valid)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        String alg = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer.getPrivate())));
    }

    private Issued write(String file, X509Certificate cert, KeyPair keys, boolean pkcs8) throws IOException {
        Path certFile = dir.resolve(file + ".crt");
        Path keyFile = dir.resolve(file + ".key");
        Files.writeString(certFile, pem(cert) + (file.equals("ca") ? "" : pem(ca.certificate())));
        StringWriter key = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(key)) {
            if (pkcs8) {
                w.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            } else if (keys.getPrivate().getAlgorithm().equals("EC")) {
                // SEC1 with its named curve, as openssl and cert-manager write it (Bouncy Castle leaves the curve out for JDK keys)
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                w.writeObject(new PemObject("EC PRIVATE KEY", new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters())
                        .getEncoded()));
            } else {
                w.writeObject(keys); // PKCS#1
            }
        }
        Files.writeString(keyFile, key.toString());
        return new Issued(cert, keys, certFile, keyFile);
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }
}
