package dev.meshwork.state.cluster;

import java.io.Serializable;

/**
 * A table row with its MAC ({@link RowSigner}). The map's near cache hands routers the same
 * instance on every read, so the check's outcome is kept on it and a row is checked once, not on
 * every request. Immutable but for that cached outcome, which any thread may set.
 */
final class Signed<T extends Serializable> implements Serializable {
    private static final long serialVersionUID = 1L;
    final T value;
    final String mac;
    private transient volatile Boolean valid;

    Signed(T value, String mac) {
        this.value = value;
        this.mac = mac;
    }

    /** The row when its MAC checks out under {@code signer} for {@code kind}/{@code key}, else null. */
    T verified(RowSigner signer, String kind, String key) {
        Boolean v = valid;
        if (v == null) {
            v = signer.verify(kind, key, value, mac);
            valid = v;
        }
        return v ? value : null;
    }
}
