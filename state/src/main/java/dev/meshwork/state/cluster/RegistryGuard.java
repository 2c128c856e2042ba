package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Where a member reports registry changes it refused (not signed by a router of the cluster): the
 * registry's MapStore is made with the member, before the process's audit log exists, so the
 * router attaches its listener here once it has one. Kept in the member's user context.
 * Hazelcast's partition threads call {@link #refused}; the listener must not block.
 */
public final class RegistryGuard {
    static final String KEY = "meshwork.registryGuard";
    private final AtomicReference<BiConsumer<String, String>> listener = new AtomicReference<>((kind, key) -> { });

    /** The guard of a member started by {@link ClusterMember}. */
    public static RegistryGuard of(HazelcastInstance hz) {
        return (RegistryGuard) hz.getUserContext().get(KEY);
    }

    /** Tells {@code l} of every refused change: its kind ({@code model}, {@code vmodel}) and key. */
    public void onRefused(BiConsumer<String, String> l) {
        listener.set(l);
    }

    void refused(String kind, String key) {
        listener.get().accept(kind, key);
    }
}
