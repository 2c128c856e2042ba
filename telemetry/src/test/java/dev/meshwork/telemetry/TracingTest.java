package dev.meshwork.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingTest {
    @Test
    void aTraceparentIsReadAndWrittenAsW3CSaysAndABadOneStartsNothing() {
        String header = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        SpanContext remote = Span.fromContext(Tracing.extract(Map.of("traceparent", header)::get)).getSpanContext();
        assertThat(remote.isRemote()).isTrue();
        assertThat(remote.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(remote.getSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(remote.isSampled()).isTrue();
        Map<String, String> written = new HashMap<>();
        Tracing.inject(Tracing.extract(Map.of("traceparent", header)::get), written::put);
        assertThat(written).containsEntry("traceparent", header);

        for (String bad : new String[] {"", "garbage", "00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0af7-b7ad-01",
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}) {
            assertThat(Span.fromContext(Tracing.extract(Map.of("traceparent", bad)::get)).getSpanContext().isValid()).as(bad).isFalse();
        }
        assertThat(Span.fromContext(Tracing.extract(name -> null)).getSpanContext().isValid()).isFalse();
    }

    @Test
    void offByDefaultSpansCostNothingAndWorkStillRunsAndFails() throws Exception {
        assertThat(Tracing.start("x", SpanKind.INTERNAL).isRecording()).isFalse();
        assertThat(Tracing.inSpan("work", SpanKind.INTERNAL, Context.root(), Attributes.empty(), () -> 42)).isEqualTo(42);
        assertThatThrownBy(() -> Tracing.traced("work", SpanKind.INTERNAL, null, Attributes.empty(), () -> {
            throw new IllegalArgumentException("bad");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad");
        Tracing.start(TracingConfig.defaults(), "meshwork-test", "1"); // no endpoint: stays off
        assertThat(Tracing.start("x", SpanKind.INTERNAL).isRecording()).isFalse();
    }

    @Test
    void aConfigThatCannotWorkIsRefused() {
        assertThatThrownBy(() -> new TracingConfig("collector:4317", 1, 1000)).hasMessageContaining("tracing.endpoint");
        assertThatThrownBy(() -> new TracingConfig("", 1.5, 1000)).hasMessageContaining("tracing.sampleRatio");
        assertThatThrownBy(() -> new TracingConfig("", 1, 0)).hasMessageContaining("tracing.exportDelayMs");
    }
}
