package dev.meshwork.state.cluster;

import dev.meshwork.security.ClusterSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the rows of the shared tables (node records, copies) with the cluster key
 * ({@code cluster.secretFile}), so a Hazelcast member that knows the cluster name but not the key
 * cannot make routers believe a forged row. A row's MAC covers its kind, its key in the map and
 * its record's canonical text (a record's {@code toString}: its components in order, lists in
 * order). Without a key nothing is signed and every row is believed, as before. Thread-safe.
 */
public final class RowSigner {
    /** No key: rows carry no MAC and are all believed. */
    public static final RowSigner NONE = new RowSigner(null);
    private final ClusterSecret key;

    public RowSigner(ClusterSecret key) {
        this.key = key;
    }

    public boolean signs() {
        return key != null;
    }

    /** The MAC of a row, empty without a key. */
    public String sign(String kind, String mapKey, Object row) {
        return key == null ? "" : Base64.getEncoder().encodeToString(mac(kind, mapKey, row));
    }

    /** Whether a row's MAC is the one the key gives it; always true without a key. */
    public boolean verify(String kind, String mapKey, Object row, String mac) {
        if (key == null) {
            return true;
        }
        if (mac == null || mac.isEmpty()) {
            return false;
        }
        try {
            return MessageDigest.isEqual(mac(kind, mapKey, row), Base64.getDecoder().decode(mac));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private byte[] mac(String kind, String mapKey, Object row) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key.value().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return m.doFinal((kind + "\n" + mapKey + "\n" + row).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
