package dev.meshwork.perf.sim;

/**
 * The replay loop every policy shares: a hit touches the model; a miss loads it (a model larger
 * than the slot is never cached) after evicting the policy's victims until it fits. Subclasses
 * say only which model goes. One instance per replay; single-threaded.
 */
abstract class SlotReplay {
    /** The request at index {@code r} hit {@code model}, which is resident. */
    abstract void touch(int model, int r);

    /** The resident model to evict next. */
    abstract int victim();

    abstract void insert(int model, int r);

    abstract void remove(int model);

    abstract boolean resident(int model);

    final CacheSimulator.Result replay(Trace trace, long capacity) {
        long used = 0;
        long hits = 0;
        long loads = 0;
        long evictions = 0;
        long loadedBytes = 0;
        long loadMillis = 0;
        int[] requests = trace.requests();
        long[] sizes = trace.sizes();
        for (int r = 0; r < requests.length; r++) {
            int model = requests[r];
            if (resident(model)) {
                touch(model, r);
                hits++;
                continue;
            }
            long size = sizes[model];
            loads++;
            loadedBytes += size;
            loadMillis += CacheSimulator.loadMillis(size);
            if (size > capacity) {
                continue;
            }
            while (used + size > capacity) {
                int v = victim();
                remove(v);
                used -= sizes[v];
                evictions++;
            }
            insert(model, r);
            used += size;
        }
        return new CacheSimulator.Result(requests.length, hits, loads, evictions, loadedBytes, loadMillis);
    }
}
