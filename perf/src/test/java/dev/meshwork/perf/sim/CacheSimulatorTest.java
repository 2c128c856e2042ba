package dev.meshwork.perf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.eviction.GdsfEvictionPolicy;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import org.junit.jupiter.api.Test;

/** The simulator and the optimal baseline against the textbook reference string, and their invariants on generated traces. */
class CacheSimulatorTest {
    /** Silberschatz's reference string with 3 frames: OPT has 9 faults, LRU 12. */
    static final int[] TEXTBOOK = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};

    static Trace equalSizes(int[] requests, int models) {
        long[] sizes = new long[models];
        java.util.Arrays.fill(sizes, 100);
        return new Trace(requests, sizes);
    }

    @Test
    void theTextbookCountsComeOut() {
        Trace t = equalSizes(TEXTBOOK, 8);
        assertThat(BeladyOptimal.run(t, 300).loads()).isEqualTo(9);
        assertThat(CacheSimulator.run(t, 300, new LruEvictionPolicy()).loads()).isEqualTo(12);
    }

    @Test
    void optimalIsNeverBeatenByLruAndBothAgreeWhenEverythingFits() {
        for (double zipf : new double[]{0, 0.8, 1.0, 1.2}) {
            Trace t = new TraceGenerator(200, zipf, 50_000, 1000, 0, 10_000, 7, 42).generate();
            for (long capacity : new long[]{10_000, 40_000, 100_000}) {
                CacheSimulator.Result opt = BeladyOptimal.run(t, capacity);
                CacheSimulator.Result lru = CacheSimulator.run(t, capacity, new LruEvictionPolicy());
                assertThat(opt.hits()).as("zipf %s capacity %s", zipf, capacity).isGreaterThanOrEqualTo(lru.hits());
                assertThat(opt.hits() + opt.loads()).isEqualTo(50_000);
            }
            CacheSimulator.Result all = CacheSimulator.run(t, 200_000, new LruEvictionPolicy());
            assertThat(all.loads()).isEqualTo(BeladyOptimal.run(t, 200_000).loads()).isLessThanOrEqualTo(200); // compulsory misses only
            assertThat(all.evictions()).isZero();
        }
    }

    @Test
    void theBoundIsAboveEveryPolicyAndTightWhenEverythingFits() {
        Trace textbook = equalSizes(TEXTBOOK, 8);
        assertThat(HitRatioBound.upper(textbook, 300) * TEXTBOOK.length).isGreaterThanOrEqualTo(11 - 1e-9); // OPT's 20 - 9 hits
        assertThat(HitRatioBound.upper(textbook, 50)).isZero(); // nothing fits
        for (double sigma : new double[]{0, 1.0}) {
            Trace t = new TraceGenerator(200, 1.0, 50_000, 1000, sigma, 10_000, 7, 43).generate();
            for (double share : new double[]{0.05, 0.2, 0.5}) {
                long capacity = (long) (t.totalBytes() * share);
                double bound = HitRatioBound.upper(t, capacity);
                assertThat(bound).as("sigma %s share %s", sigma, share)
                        .isGreaterThanOrEqualTo(BeladyOptimal.run(t, capacity).hitRatio())
                        .isGreaterThanOrEqualTo(CacheSimulator.run(t, capacity, new LruEvictionPolicy()).hitRatio())
                        .isGreaterThanOrEqualTo(CacheSimulator.run(t, capacity, new GdsfEvictionPolicy()).hitRatio())
                        .isLessThanOrEqualTo(1);
            }
            // with room for every model, only the first request of each misses
            long distinct = java.util.Arrays.stream(t.requests()).distinct().count();
            assertThat(HitRatioBound.upper(t, t.totalBytes())).isCloseTo((50_000 - distinct) / 50_000.0, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void tracesAreDeterministicAndZipfHasAHeavyHead() {
        Trace a = new TraceGenerator(100, 1.0, 100_000, 1000, 0.5, 0, 0, 7).generate();
        Trace b = new TraceGenerator(100, 1.0, 100_000, 1000, 0.5, 0, 0, 7).generate();
        assertThat(a.requests()).isEqualTo(b.requests());
        assertThat(a.sizes()).isEqualTo(b.sizes());
        int[] counts = new int[100];
        for (int m : a.requests()) {
            counts[m]++;
        }
        int max = java.util.Arrays.stream(counts).max().orElseThrow();
        // rank 1 of Zipf(1.0) over 100 models carries 1/H(100) = 19.3% of the requests
        assertThat(max / 100_000.0).isBetween(0.18, 0.21);
    }
}
