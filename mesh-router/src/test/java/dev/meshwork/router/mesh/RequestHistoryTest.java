package dev.meshwork.router.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RequestHistoryTest {
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1)};
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Timer timer(String protocol, String model, String outcome) {
        return Timer.builder("meshwork.request").tags("protocol", protocol, "model", model, "outcome", outcome)
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    @Test
    void eachSampleHoldsItsIntervalsRequestsErrorsAndQuantilesAcrossProtocols() {
        RequestHistory history = new RequestHistory(registry);
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        for (int i = 0; i < 60; i++) {
            timer("rest-v2", "fraud", "ok").record(3, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < 30; i++) {
            timer("grpc-v2", "fraud", "ok").record(3, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < 10; i++) {
            timer("grpc-v2", "fraud", "unavailable").record(400, TimeUnit.MILLISECONDS);
        }
        timer("rest-v2", "unknown", "not_found").record(1, TimeUnit.MILLISECONDS);
        history.sample(t0);
        RequestHistory.Sample first = history.of("fraud").getFirst();
        assertThat(first.requests()).isEqualTo(100);
        assertThat(first.errors()).isEqualTo(10);
        assertThat(first.p50Ms()).isBetween(1.0, 5.0);
        assertThat(first.p99Ms()).isBetween(250.0, 500.0);
        assertThat(history.of("unknown")).as("names that are no model are not kept").isEmpty();

        // the next interval counts only its own requests
        timer("rest-v2", "fraud", "ok").record(7, TimeUnit.MILLISECONDS);
        history.sample(t0.plusSeconds(5));
        RequestHistory.Sample second = history.of("fraud").get(1);
        assertThat(second.at()).isEqualTo("2026-11-26T10:00:05Z");
        assertThat(second.requests()).isEqualTo(1);
        assertThat(second.errors()).isZero();
        assertThat(second.p99Ms()).isBetween(5.0, 10.0);
    }

    @Test
    void theWindowKeepsTenMinutesAndForgetsModelsWithoutRequests() {
        RequestHistory history = new RequestHistory(registry);
        timer("rest-v2", "idle", "ok").record(2, TimeUnit.MILLISECONDS);
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        history.sample(t);
        for (int i = 1; i < RequestHistory.SAMPLES; i++) {
            history.sample(t.plusSeconds(5L * i));
        }
        assertThat(history.of("idle")).hasSize(RequestHistory.SAMPLES);
        assertThat(history.of("idle").getFirst().requests()).isEqualTo(1);
        history.sample(t.plusSeconds(5L * RequestHistory.SAMPLES));
        assertThat(history.of("idle")).as("a whole window without requests").isEmpty();
    }

    @Test
    void quantilesInterpolateInsideTheirBucket() {
        double[] bounds = {1, 5, 10};
        assertThat(RequestHistory.quantile(0.5, 0, bounds, new long[] {0, 0, 0})).isZero();
        assertThat(RequestHistory.quantile(0.5, 10, bounds, new long[] {0, 10, 10})).isEqualTo(3.0);
        assertThat(RequestHistory.quantile(0.99, 10, bounds, new long[] {5, 5, 10})).isCloseTo(9.9, Offset.offset(1e-9));
        assertThat(RequestHistory.quantile(0.99, 10, bounds, new long[] {0, 0, 5})).as("beyond the last bound").isEqualTo(10.0);
    }
}
