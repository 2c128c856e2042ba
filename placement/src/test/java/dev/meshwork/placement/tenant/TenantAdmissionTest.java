package dev.meshwork.placement.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.error.MeshError;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TenantAdmissionTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    static TenantPolicy limits(String ns, double rps, int burst, int maxInFlight, int priority) {
        return new TenantPolicy(ns, 0, MemoryAmount.NONE, MemoryAmount.NONE, 0, rps, burst, maxInFlight, priority, "");
    }

    @Test
    void theBucketLetsTheBurstThroughThenTheRateAndSaysWhenToComeBack() {
        TenantAdmission a = new TenantAdmission(0, 1);
        TenantPolicy p = limits("a", 10, 5, 0, 0);
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            TenantAdmission.Verdict v = a.admit(p, 0, 1, 0);
            if (v.admitted()) {
                admitted++;
                a.release("a");
            } else {
                assertThat(v.outcome()).isEqualTo(TenantAdmission.Outcome.RATE);
                assertThat(v.retryAfterNanos()).isBetween(SECOND / 10 - 1000, SECOND / 10 + 1000);
            }
        }
        assertThat(admitted).isEqualTo(5);
        // one second later, ten more (the bucket holds five at most: five at once, then one per 100 ms)
        assertThat(a.admit(p, 0, 1, SECOND).admitted()).isTrue();
        int later = 1;
        while (a.admit(p, 0, 1, SECOND).admitted()) {
            later++;
        }
        assertThat(later).isEqualTo(5);
        assertThat(a.inFlight()).isEqualTo(5);
    }

    @Test
    void limitsAreSplitOverTheRouters() {
        TenantAdmission a = new TenantAdmission(0, 1);
        TenantPolicy p = limits("a", 100, 100, 8, 0);
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (a.admit(p, 0, 4, 0).admitted()) {
                admitted++;
            }
        }
        // 8 in flight over 4 routers: 2 here, none released
        assertThat(admitted).isEqualTo(2);
        assertThat(a.admit(p, 0, 4, 0).outcome()).isEqualTo(TenantAdmission.Outcome.IN_FLIGHT);
        a.release("a");
        a.release("a");
        int burst = 0;
        while (a.admit(p, 0, 4, 0).admitted()) {
            burst++;
            a.release("a");
        }
        assertThat(burst).isEqualTo(23); // 25 tokens per router, 2 already taken
    }

    @Test
    void underOverloadLowerPrioritiesAreShedFirst() {
        TenantAdmission a = new TenantAdmission(10, 0.5);
        TenantPolicy low = limits("batch", 0, 0, 0, 0);
        TenantPolicy high = limits("online", 0, 0, 0, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(a.admit(low, 5, 1, 0).admitted()).isTrue();
        }
        assertThat(a.admit(low, 5, 1, 0).outcome()).isEqualTo(TenantAdmission.Outcome.OVERLOAD);
        for (int i = 0; i < 5; i++) {
            assertThat(a.admit(high, 5, 1, 0).admitted()).isTrue();
        }
        assertThat(a.admit(high, 5, 1, 0).outcome()).isEqualTo(TenantAdmission.Outcome.OVERLOAD);
        a.release("online");
        assertThat(a.admit(low, 5, 1, 0).outcome()).isEqualTo(TenantAdmission.Outcome.OVERLOAD);
        assertThat(a.admit(high, 5, 1, 0).admitted()).isTrue();
    }

    @Test
    void concurrentRequestsNeverPassTheInFlightCap() throws Exception {
        TenantAdmission a = new TenantAdmission(0, 1);
        TenantPolicy p = limits("a", 0, 0, 3, 0);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    if (a.admit(p, 0, 1, 0).admitted()) {
                        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                        running.decrementAndGet();
                        a.release("a");
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(peak.get()).isBetween(1, 3);
        assertThat(a.inFlight()).isZero();
    }

    @Test
    void documentsAreCheckedAndAmountsRead() {
        assertThat(MemoryAmount.parse("memoryShare", 0.25)).isEqualTo(new MemoryAmount(0.25, 0));
        assertThat(MemoryAmount.parse("memoryShare", "25%")).isEqualTo(new MemoryAmount(0.25, 0));
        assertThat(MemoryAmount.parse("memoryShare", "2Gi")).isEqualTo(new MemoryAmount(0, 2L << 30));
        assertThat(MemoryAmount.parse("memoryShare", 4096)).isEqualTo(new MemoryAmount(0, 4096));
        assertThat(MemoryAmount.parse("memoryShare", "1G").of(0)).isEqualTo(1_000_000_000L);
        assertThat(new MemoryAmount(0.25, 0).of(1000)).isEqualTo(250);
        assertThat(new MemoryAmount(0.125, 0).toDocument()).isEqualTo("12.5%");
        assertThatThrownBy(() -> MemoryAmount.parse("memoryShare", "lots")).isInstanceOf(MeshError.class).hasMessageContaining("memoryShare");
        assertThatThrownBy(() -> MemoryAmount.parse("memoryShare", -3)).isInstanceOf(MeshError.class);
        assertThatThrownBy(() -> MemoryAmount.parse("memoryShare", "150%")).isInstanceOf(MeshError.class);
        assertThatThrownBy(() -> new TenantPolicy("Bad_NS", 0, null, null, 0, 0, 0, 0, 0, "")).isInstanceOf(MeshError.class)
                .hasMessageContaining("not a namespace");
        assertThatThrownBy(() -> new TenantPolicy("a", 0, new MemoryAmount(0.5, 0), new MemoryAmount(0.25, 0), 0, 0, 0, 0, 0, ""))
                .hasMessageContaining("more than maxMemory");
        assertThatThrownBy(() -> new TenantPolicy("a", 0, null, null, 0, 0, 5, 0, 0, "")).hasMessageContaining("set requestsPerSecond");
        assertThat(limits("a", 2.5, 0, 0, 0).effectiveBurst()).isEqualTo(3);
        TenantPolicies p = new TenantPolicies(java.util.List.of(limits("*", 10, 0, 0, 1), limits("a", 0, 0, 0, 7)));
        assertThat(p.of("zzz").requestsPerSecond()).isEqualTo(10);
        assertThat(p.of("zzz").namespace()).isEqualTo("zzz");
        assertThat(p.of("a").requestsPerSecond()).isZero();
        assertThat(p.highestPriority()).isEqualTo(7);
    }
}
