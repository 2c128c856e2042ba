package dev.meshwork.security.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys with the JDK alone. Keys may be PKCS#8, PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}, cert-manager's ECDSA
 * default); the latter two are wrapped into PKCS#8. Encrypted keys are refused with a message.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PemFiles() {
    }

    public static List<X509Certificate> certificates(byte[] pem) {
        try {
            List<X509Certificate> out = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                    .stream().map(c -> (X509Certificate) c).toList();
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate in the PEM file");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate file: " + e.getMessage());
        }
    }

    public static PrivateKey privateKey(byte[] pem) {
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + type + " block is not valid base64");
            }
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> pkcs8(sequence(concat(new byte[] {2, 1, 0}, RSA_ALGORITHM, octets(der))));
                case "EC PRIVATE KEY" -> pkcs8(sequence(concat(new byte[] {2, 1, 0},
                        sequence(concat(EC_PUBLIC_KEY_OID, curveOf(der))), octets(der))));
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("the private key is encrypted; give it unencrypted"
                        + " (openssl pkcs8 -topk8 -nocrypt) and protect the file instead");
                default -> throw new IllegalArgumentException("unsupported key type '" + type + "'");
            };
        }
        throw new IllegalArgumentException("no PRIVATE KEY block in the PEM file");
    }

    private static PrivateKey pkcs8(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the private key is not an RSA, EC or Ed25519 key this JDK can read");
    }

    /** The named-curve OID in a SEC1 ECPrivateKey's [0] parameters. */
    private static byte[] curveOf(byte[] sec1) {
        int[] outer = header(sec1, 0);
        int i = outer[1];
        int end = i + outer[2];
        while (i < end) {
            int[] h = header(sec1, i);
            if ((sec1[i] & 0xff) == 0xa0) {
                int[] oid = header(sec1, h[1]);
                return Arrays.copyOfRange(sec1, h[1], oid[1] + oid[2]);
            }
            i = h[1] + h[2];
        }
        throw new IllegalArgumentException("the EC private key does not name its curve; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }

    /** {tag, content offset, content length} of the DER element at {@code at}. */
    private static int[] header(byte[] der, int at) {
        if (at + 2 > der.length) {
            throw new IllegalArgumentException("the private key is truncated");
        }
        int len = der[at + 1] & 0xff;
        int off = at + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n > 3 || off + n > der.length) { // no key is 16 MB long: a longer length is garbage
                throw new IllegalArgumentException("the private key is not valid DER");
            }
            len = 0;
            for (int k = 0; k < n; k++) {
                len = (len << 8) | (der[off + k] & 0xff);
            }
            off += n;
        }
        if (off + len > der.length) {
            throw new IllegalArgumentException("the private key is truncated");
        }
        return new int[] {der[at] & 0xff, off, len};
    }

    private static byte[] sequence(byte[] content) {
        return tagged(0x30, content);
    }

    private static byte[] octets(byte[] content) {
        return tagged(0x04, content);
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = java.math.BigInteger.valueOf(n).toByteArray();
            int start = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - start));
            out.write(len, start, len.length - start);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
