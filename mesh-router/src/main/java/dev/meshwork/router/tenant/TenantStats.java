package dev.meshwork.router.tenant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import dev.meshwork.placement.tenant.TenantAdmission;

/**
 * One namespace's request counts at this router: Prometheus counters
 * ({@code meshwork_tenant_requests_total}, {@code meshwork_tenant_throttled_total{reason}}) and
 * rates smoothed over a few seconds for {@code GET /v1/mesh/namespaces}. Request threads count;
 * the tenants' refresh thread turns counts into rates.
 */
final class TenantStats {
    /** Each tick's rate weighs this much; over 1-second ticks the rate follows the last ~5 s. */
    private static final double WEIGHT = 0.2;
    private final Counter requests;
    private final Map<TenantAdmission.Outcome, Counter> throttled = new EnumMap<>(TenantAdmission.Outcome.class);
    private final LongAdder admitted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    // written by the refresh thread only
    private volatile double requestRate;
    private volatile double throttleRate;
    private long lastAdmitted;
    private long lastRefused;

    TenantStats(MeterRegistry metrics, String tag) {
        this.requests = Counter.builder("meshwork_tenant_requests").tag("namespace", tag)
                .description("inference requests a namespace's limits admitted at this router").register(metrics);
        for (TenantAdmission.Outcome o : TenantAdmission.Outcome.values()) {
            if (o != TenantAdmission.Outcome.ADMITTED) {
                throttled.put(o, Counter.builder("meshwork_tenant_throttled").tag("namespace", tag).tag("reason", o.tag())
                        .description("inference requests refused by a namespace's rate or in-flight limit, or shed under overload")
                        .register(metrics));
            }
        }
    }

    void admitted(boolean hit) {
        requests.increment();
        admitted.increment();
        (hit ? hits : misses).increment();
    }

    void refused(TenantAdmission.Outcome why) {
        throttled.get(why).increment();
        refused.increment();
    }

    /** Turns the counts since the last tick ({@code seconds} ago) into smoothed rates. */
    synchronized void tick(double seconds) {
        long a = admitted.sum();
        long r = refused.sum();
        requestRate = requestRate + WEIGHT * ((a - lastAdmitted) / seconds - requestRate);
        throttleRate = throttleRate + WEIGHT * ((r - lastRefused) / seconds - throttleRate);
        lastAdmitted = a;
        lastRefused = r;
    }

    double requestRate() {
        return requestRate;
    }

    double throttleRate() {
        return throttleRate;
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }

    /** Requests that found a copy of their model loaded, of all admitted; NaN before the first. */
    double hitRatio() {
        long h = hits.sum();
        long all = h + misses.sum();
        return all == 0 ? Double.NaN : h / (double) all;
    }
}
