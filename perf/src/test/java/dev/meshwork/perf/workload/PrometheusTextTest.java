package dev.meshwork.perf.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sums by metric and label out of Prometheus text as Micrometer writes it. */
class PrometheusTextTest {
    static final String TEXT = """
            # HELP meshwork_forward_requests_total requests
            # TYPE meshwork_forward_requests_total counter
            meshwork_forward_requests_total{result="hit"} 120.0
            meshwork_forward_requests_total{result="miss"} 30.0
            meshwork_cache_requests_total{result="hit",runtime="onnx",slot="onnx-0"} 5.0
            meshwork_cache_requests_total{result="hit",runtime="onnx",slot="onnx-1"} 7.0
            meshwork_cache_requests_total{result="miss",runtime="onnx",slot="onnx-0"} 2.0
            meshwork_model_load_seconds_count{outcome="ok",runtime="onnx",slot="onnx-0"} 9.0
            meshwork_model_load_seconds_count{outcome="failed",runtime="onnx",slot="onnx-0"} 1.0
            """;

    @Test
    void sumsTheSamplesWithTheLabel() {
        assertThat(PrometheusText.sum(TEXT, "meshwork_forward_requests_total", "result", "hit")).isEqualTo(120);
        assertThat(PrometheusText.sum(TEXT, "meshwork_cache_requests_total", "result", "hit")).isEqualTo(12);
        assertThat(PrometheusText.sum(TEXT, "meshwork_model_load_seconds_count", "outcome", "ok")).isEqualTo(9);
        assertThat(PrometheusText.sum(TEXT, "meshwork_cache_requests_total", "result", "gone")).isZero();
        assertThat(PrometheusText.has(TEXT, "meshwork_forward_requests_total")).isTrue();
        assertThat(PrometheusText.has(TEXT, "meshwork_forward_requests")).isFalse();
    }
}
