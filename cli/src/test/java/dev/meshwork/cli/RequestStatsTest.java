package dev.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestStatsTest {
    static String text(int fast, int slow) {
        // two protocols of one model, as Micrometer writes them: cumulative buckets, then the count
        return """
                # TYPE meshwork_request_seconds histogram
                meshwork_request_seconds_bucket{model="m",outcome="ok",protocol="grpc",le="0.001"} %d.0
                meshwork_request_seconds_bucket{model="m",outcome="ok",protocol="grpc",le="0.01"} %d.0
                meshwork_request_seconds_bucket{model="m",outcome="ok",protocol="grpc",le="+Inf"} %d.0
                meshwork_request_seconds_count{model="m",outcome="ok",protocol="grpc"} %d.0
                meshwork_request_seconds_bucket{model="m",outcome="ok",protocol="rest",le="0.001"} 0.0
                meshwork_request_seconds_bucket{model="m",outcome="ok",protocol="rest",le="0.01"} 0.0
                meshwork_request_seconds_bucket{model="m",outcome="ok",protocol="rest",le="+Inf"} 0.0
                meshwork_request_seconds_count{model="m",outcome="ok",protocol="rest"} 0.0
                meshwork_other_total{model="m"} 99.0
                """.formatted(fast, fast + slow, fast + slow, fast + slow);
    }

    @Test
    void ratesAndP99AreTakenBetweenTwoReadings() {
        RequestStats first = RequestStats.parse(text(100, 0));
        RequestStats second = RequestStats.parse(text(300, 10));
        assertThat(second.rate(first, "m", 2.0)).isEqualTo(105.0);
        // 210 requests between the readings, 10 of them over 1 ms: the 99th is under 10 ms
        assertThat(second.p99(first, "m")).isEqualTo(0.01);
        assertThat(RequestStats.parse(text(300, 0)).p99(first, "m")).isEqualTo(0.001);
        assertThat(second.rate(first, "unknown", 2.0)).isZero();
        assertThat(second.p99(second, "m")).as("no requests between two equal readings").isNaN();
        assertThat(RequestStats.parse("not prometheus at all\n").counts()).isEmpty();
    }
}
