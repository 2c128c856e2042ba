package dev.meshwork.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The process's tracer: OpenTelemetry's no-op until {@link #start} is called with an endpoint (a
 * process's main does, once), then spans recorded by the SDK and exported over OTLP/gRPC in
 * batches, off the request path. W3C {@code traceparent}/{@code tracestate} is the only
 * propagation format. Any thread may start spans; {@link #start} and {@link #shutdown} are called
 * by the main thread.
 */
public final class Tracing {
    /** The attributes every Meshwork span may carry. */
    public static final AttributeKey<String> MODEL = AttributeKey.stringKey("meshwork.model");
    public static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("meshwork.namespace");
    public static final AttributeKey<String> NODE = AttributeKey.stringKey("meshwork.node");
    public static final AttributeKey<String> SLOT = AttributeKey.stringKey("meshwork.slot");
    public static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("meshwork.protocol");
    private static final TextMapGetter<UnaryOperator<String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(UnaryOperator<String> carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(UnaryOperator<String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };
    private static final Tracer NOOP = OpenTelemetry.noop().getTracer("meshwork");
    private static volatile Tracer tracer = NOOP;
    private static volatile SdkTracerProvider provider;

    private Tracing() {
    }

    /** Starts recording and exporting, as {@code service} (its {@code service.name}) with {@code instance}; no-op when off. */
    public static synchronized void start(TracingConfig config, String service, String instance) {
        if (!config.enabled() || provider != null) {
            return;
        }
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint(config.endpoint()).setTimeout(Duration.ofSeconds(10))
                .build();
        provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service,
                        AttributeKey.stringKey("service.instance.id"), instance))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(config.exportDelayMs()))
                        .setMaxQueueSize(8192).build())
                .build();
        tracer = provider.get("meshwork");
    }

    /** Records with a provider the caller built (a test's in-memory exporter); {@link #shutdown} closes it. */
    public static synchronized void start(SdkTracerProvider built) {
        shutdown();
        provider = built;
        tracer = built.get("meshwork");
    }

    /** Exports what is recorded and stops; the tracer is a no-op again. */
    public static synchronized void shutdown() {
        if (provider != null) {
            tracer = NOOP;
            provider.shutdown().join(10, TimeUnit.SECONDS);
            provider = null;
        }
    }

    public static Tracer tracer() {
        return tracer;
    }

    /** The remote parent a request's headers carry ({@code traceparent}), or the root context when none. */
    public static Context extract(UnaryOperator<String> headers) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
    }

    /** Writes the current span's {@code traceparent} (and {@code tracestate}) with {@code put}. */
    public static void inject(Context context, java.util.function.BiConsumer<String, String> put) {
        W3CTraceContextPropagator.getInstance().inject(context, put, (p, k, v) -> p.accept(k, v));
    }

    /** Starts a span as a child of the current one. */
    public static Span start(String name, SpanKind kind) {
        return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
    }

    /**
     * Runs {@code work} in a new span, child of {@code parent} ({@code null}: of the current span),
     * recording a failure as the span's error; the span is current while the work runs.
     */
    public static <T> T inSpan(String name, SpanKind kind, Context parent, Attributes attributes, Callable<T> work) throws Exception {
        return inSpan(name, kind, parent, () -> attributes, work);
    }

    /**
     * {@link #inSpan(String, SpanKind, Context, Attributes, Callable)} with attributes made only when a span
     * records. With the no-op tracer and no remote parent to carry, the work runs without a span: the
     * span would be the current one again, or an invalid one (every request paid for three such spans
     * and their attributes).
     */
    public static <T> T inSpan(String name, SpanKind kind, Context parent, java.util.function.Supplier<Attributes> attributes, Callable<T> work)
            throws Exception {
        Tracer t = tracer;
        if (t == NOOP && (parent == null || !Span.fromContext(parent).getSpanContext().isValid())) {
            return work.call();
        }
        var b = t.spanBuilder(name).setSpanKind(kind).setAllAttributes(attributes.get());
        if (parent != null) {
            b.setParent(parent);
        }
        Span span = b.startSpan();
        try (Scope s = span.makeCurrent()) {
            return work.call();
        } catch (Exception | Error e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** {@link #inSpan} for work that throws only unchecked exceptions. */
    public static <T> T traced(String name, SpanKind kind, Context parent, Attributes attributes, java.util.function.Supplier<T> work) {
        return traced(name, kind, parent, () -> attributes, work);
    }

    /** {@link #traced(String, SpanKind, Context, Attributes, java.util.function.Supplier)} with attributes made only when a span records. */
    public static <T> T traced(String name, SpanKind kind, Context parent, java.util.function.Supplier<Attributes> attributes,
                               java.util.function.Supplier<T> work) {
        try {
            return inSpan(name, kind, parent, attributes, work::get);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // a Supplier throws nothing checked
        }
    }

    /** Marks a span failed with what went wrong. */
    public static void failed(Span span, Throwable t) {
        span.setStatus(StatusCode.ERROR, String.valueOf(t.getMessage()));
        span.recordException(t);
    }
}
