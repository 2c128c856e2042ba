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

    private static String waits(long... cumulative) {
        String[] bounds = {"0.01", "0.05", "0.1", "+Inf"};
        StringBuilder b = new StringBuilder("# TYPE meshwork_forward_load_wait_seconds histogram\n");
        for (int i = 0; i < bounds.length; i++) {
            b.append("meshwork_forward_load_wait_seconds_bucket{le=\"").append(bounds[i]).append("\"} ").append(cumulative[i]).append(".0\n");
        }
        return b.append("meshwork_forward_load_wait_seconds_count ").append(cumulative[3]).append(".0\n").toString();
    }

    @Test
    void quantilesComeFromTheBucketsCountedBetweenTwoReadings() {
        var before = PrometheusText.buckets(waits(100, 100, 100, 100), "meshwork_forward_load_wait_seconds");
        assertThat(before).hasSize(4).containsEntry(0.01, 100.0).containsEntry(Double.POSITIVE_INFINITY, 100.0);
        // between the readings: 10 waits under 10 ms, 80 between 10 and 50 ms, 10 between 50 and 100 ms
        var after = PrometheusText.buckets(waits(110, 190, 200, 200), "meshwork_forward_load_wait_seconds");
        assertThat(PrometheusText.quantile(before, after, 0.5)).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PrometheusText.quantile(before, after, 0.05)).isCloseTo(0.005, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PrometheusText.quantile(before, after, 0.95)).isCloseTo(0.075, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PrometheusText.quantile(before, before, 0.5)).as("nothing counted").isNaN();
        var past = PrometheusText.buckets(waits(110, 190, 200, 300), "meshwork_forward_load_wait_seconds");
        assertThat(PrometheusText.quantile(before, past, 0.99)).as("past the last bound: the bound").isEqualTo(0.1);
    }
}
