package dev.meshwork.router.cluster;

import dev.meshwork.placement.registry.DigestPin;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Which copy a request goes to: the power of two choices over the LOADED copies, on this router's
 * own count of requests in flight to each node (no shared state on the request path). Copies on
 * nodes the router saw fail recently are skipped: with none left, the request goes to placement,
 * which loads the model on a healthy node. Request threads call it
 * concurrently; thread-safe.
 */
final class CopyChooser {
    private final ConcurrentMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    /** One of the copies LOADED with registration {@code spec} (and its pinned bytes) on a node that is not suspect, if any. */
    Optional<CopyRecord> choose(List<CopyRecord> copies, ModelSpec spec, Predicate<String> suspect) {
        String fingerprint = spec.fingerprint();
        String pin = DigestPin.of(spec.storageUri());
        List<CopyRecord> pool = copies.stream().filter(c -> c.serves(fingerprint, pin) && !suspect.test(c.nodeId())).toList();
        return switch (pool.size()) {
            case 0 -> Optional.empty();
            case 1 -> Optional.of(pool.get(0));
            default -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int i = r.nextInt(pool.size());
                int j = r.nextInt(pool.size() - 1);
                CopyRecord a = pool.get(i);
                CopyRecord b = pool.get(j >= i ? j + 1 : j);
                yield Optional.of(inFlight(a.nodeId()) <= inFlight(b.nodeId()) ? a : b);
            }
        };
    }

    private int inFlight(String nodeId) {
        AtomicInteger n = inFlight.get(nodeId);
        return n == null ? 0 : n.get();
    }

    /** Counts a request to the node; call {@link #finish} when it is answered. */
    void start(String nodeId) {
        inFlight.computeIfAbsent(nodeId, k -> new AtomicInteger()).incrementAndGet();
    }

    void finish(String nodeId) {
        AtomicInteger n = inFlight.get(nodeId);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    void forget(String nodeId) {
        inFlight.remove(nodeId);
    }
}
