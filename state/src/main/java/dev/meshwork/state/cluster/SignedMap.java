package dev.meshwork.state.cluster;

import com.hazelcast.map.IMap;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shared map whose values are signed by the router that wrote them ({@link RowSigner}): a value
 * that does not check out (or is not a signed value of the map's type) reads as absent. The
 * registries of models and vmodels are these. Thread-safe.
 */
final class SignedMap<T extends Serializable> {
    private final IMap<String, Object> map;
    private final RowSigner signer;
    private final String kind;
    private final Class<T> type;

    SignedMap(IMap<String, Object> map, RowSigner signer, String kind, Class<T> type) {
        this.map = map;
        this.signer = signer;
        this.kind = kind;
        this.type = type;
    }

    Optional<T> get(String key) {
        return key == null ? Optional.empty() : Optional.ofNullable(unwrap(signer, kind, type, key, map.get(key)));
    }

    Optional<T> put(String key, T value) {
        return Optional.ofNullable(unwrap(signer, kind, type, key, map.put(key, wrap(signer, kind, key, value))));
    }

    void set(String key, T value) {
        map.set(key, wrap(signer, kind, key, value));
    }

    Optional<T> remove(String key) {
        return Optional.ofNullable(unwrap(signer, kind, type, key, map.remove(key)));
    }

    List<T> values() {
        List<T> out = new ArrayList<>();
        map.forEach((k, v) -> {
            T t = unwrap(signer, kind, type, k, v);
            if (t != null) {
                out.add(t);
            }
        });
        return out;
    }

    static <T extends Serializable> Signed<T> wrap(RowSigner signer, String kind, String key, T value) {
        return new Signed<>(value, signer.sign(kind, key, value));
    }

    /** The value of a stored row when it is a signed {@code type} that checks out, else null. */
    static <T extends Serializable> T unwrap(RowSigner signer, String kind, Class<T> type, String key, Object row) {
        if (row instanceof Signed<?> s && type.isInstance(s.value)) {
            return type.cast(s.verified(signer, kind, key));
        }
        return null;
    }
}
