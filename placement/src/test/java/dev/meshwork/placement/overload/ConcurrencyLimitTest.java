package dev.meshwork.placement.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
    static final long MS = 1_000_000;

    private static ConcurrencyLimit limit(int min, int max, int initial) {
        return new ConcurrencyLimit(new ConcurrencyLimit.Settings(2.0, min, max, initial, 10));
    }

    /** Runs {@code n} requests of {@code model} at once, each taking {@code nanos}; answers how many were refused. */
    private static int burst(ConcurrencyLimit l, String model, int n, long nanos, long now) {
        java.util.List<Integer> running = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int r = l.tryAcquire();
            if (r > 0) {
                running.add(r);
            }
        }
        for (int r : running) {
            l.release(model, nanos, now, r);
        }
        return n - running.size();
    }

    @Test
    void requestsPastTheLimitAreRefusedAtOnceAndPlacesComeBack() {
        ConcurrencyLimit l = limit(1, 10, 2);
        assertThat(l.tryAcquire()).isEqualTo(1);
        assertThat(l.tryAcquire()).isEqualTo(2);
        assertThat(l.tryAcquire()).as("the third of a limit of 2").isZero();
        l.abandon();
        assertThat(l.inFlight()).isEqualTo(1);
        assertThat(l.tryAcquire()).isEqualTo(2);
    }

    @Test
    void inflatedLatencyCutsTheLimitDownToItsFloor() {
        ConcurrencyLimit l = limit(2, 100, 40);
        long now = 0;
        burst(l, "m", 10, 1 * MS, now); // the model's unloaded latency: 1 ms
        int before = l.limit();
        for (int round = 0; round < 20; round++) {
            burst(l, "m", 10, 5 * MS, now += MS); // five times slower: the node is overloaded
        }
        assertThat(before).isEqualTo(40);
        assertThat(l.limit()).as("cut by a quarter per window, down to minLimit").isEqualTo(2);
    }

    @Test
    void theLimitGrowsOnlyWhenItWasReachedWithoutInflation() {
        ConcurrencyLimit l = limit(1, 64, 4);
        long now = 0;
        for (int round = 0; round < 10; round++) {
            burst(l, "m", 2, MS, now += MS); // half the limit in use: no reason to grow
        }
        assertThat(l.limit()).isEqualTo(4);
        for (int round = 0; round < 30; round++) {
            burst(l, "m", 100, MS, now += MS); // always at the limit, never slower
        }
        assertThat(l.limit()).isEqualTo(64);
    }

    @Test
    void eachModelIsJudgedAgainstItsOwnUnloadedLatency() {
        ConcurrencyLimit l = limit(1, 64, 8);
        long now = 0;
        burst(l, "cheap", 1, MS, now);
        burst(l, "costly", 1, 50 * MS, now);
        for (int round = 0; round < 20; round++) {
            burst(l, "cheap", 4, MS, now += MS);
            burst(l, "costly", 4, 50 * MS, now += MS); // slow, but as slow as it always is
        }
        assertThat(l.limit()).as("a costly model is no sign of overload").isEqualTo(8);
    }

    @Test
    void aBaselineFollowsTheModelWhenItBecomesSlowerForGood() {
        ConcurrencyLimit l = limit(1, 64, 8);
        long now = 0;
        burst(l, "m", 8, MS, now);
        // from now on the model takes 3 ms (a new version, a busier machine): after two baseline windows that is its baseline
        now += 2 * ConcurrencyLimit.BASELINE_WINDOW_NANOS + MS;
        for (int round = 0; round < 40; round++) {
            burst(l, "m", 8, 3 * MS, now += MS);
        }
        assertThat(l.limit()).as("not cut: 3 ms is the model's latency now").isGreaterThanOrEqualTo(8);
    }

    @Test
    void theUnloadedLatencyComesFromQuietRequestsSoItDoesNotDriftUpUnderSustainedOverload() {
        ConcurrencyLimit l = limit(2, 100, 40);
        long now = 0;
        burst(l, "m", 2, MS, now); // two quiet requests (at most minLimit running): 1 ms is the unloaded latency
        // overloaded for a minute: every request runs with 40 others and takes 8 ms
        for (int round = 0; round < 600; round++) {
            now += 100 * MS;
            for (int i = 0; i < 10; i++) {
                l.sample("m", 8 * MS, now, 40);
            }
        }
        assertThat(l.limit()).as("still judged against 1 ms, long after the baseline windows turned over").isEqualTo(2);
    }

    @Test
    void settingsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new ConcurrencyLimit.Settings(1.0, 1, 10, 2, 10)).hasMessageContaining("tolerance > 1");
        assertThatThrownBy(() -> new ConcurrencyLimit.Settings(2.0, 4, 10, 2, 10)).hasMessageContaining("minLimit <= initialLimit");
    }
}
