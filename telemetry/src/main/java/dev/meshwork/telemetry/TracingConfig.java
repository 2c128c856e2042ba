package dev.meshwork.telemetry;

import dev.meshwork.config.ConfigCheck;

/**
 * Distributed tracing with OpenTelemetry, off unless an endpoint is given.
 *
 * @param endpoint      the OTLP/gRPC collector spans are exported to ({@code http://collector:4317}); empty: tracing off
 * @param sampleRatio   the share of new traces recorded (0 to 1); a request that arrives with a sampled {@code traceparent}
 *                      is recorded whatever the ratio, so a caller's trace continues through the mesh
 * @param exportDelayMs how long finished spans wait to be exported together
 */
public record TracingConfig(String endpoint, double sampleRatio, long exportDelayMs) {
    public TracingConfig {
        endpoint = endpoint == null ? "" : endpoint.trim();
        ConfigCheck.require(endpoint.isEmpty() || endpoint.startsWith("http://") || endpoint.startsWith("https://"),
                "tracing.endpoint must be an http:// or https:// URL of an OTLP/gRPC collector, got '%s'", endpoint);
        ConfigCheck.require(sampleRatio >= 0 && sampleRatio <= 1, "tracing.sampleRatio must be from 0 to 1, got %s", sampleRatio);
        ConfigCheck.range("tracing.exportDelayMs", exportDelayMs, 1, 600_000, "a time in milliseconds");
    }

    public boolean enabled() {
        return !endpoint.isEmpty();
    }

    public static TracingConfig defaults() {
        return new TracingConfig("", 1.0, 1000);
    }
}
