package dev.meshwork.router.mesh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code meshwork_vmodel_requests_total{vmodel, model}}: which of a vmodel's models took each
 * inference request, so a canary's share and its errors can be read per target. Both tags are
 * registered names, so clients cannot grow the series. Request threads.
 */
final class TrafficMeters {
    private final MeterRegistry registry;
    private final ConcurrentMap<Route, Counter> counters = new ConcurrentHashMap<>();

    private record Route(String vmodel, String model) {
    }

    TrafficMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void routed(String vmodel, String model) {
        counters.computeIfAbsent(new Route(vmodel, model), r -> Counter.builder("meshwork.vmodel.requests")
                .description("inference requests to a vmodel, by the model that took them")
                .tags("vmodel", r.vmodel(), "model", r.model()).register(registry)).increment();
    }
}
