package dev.meshwork.node.cache;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.telemetry.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The spans of one load: {@code load}, child of whatever asked for it (a node's load call, or the
 * request that missed), with its phases {@code download} (the artifact into the local cache) and
 * {@code runtime load} (room made, the runtime loading it). Made on the asking thread; the phases
 * end on the fetch's completion thread and on the load thread, one after the other.
 */
final class LoadTrace {
    private final Span load;
    private final Span download;
    private final Attributes attributes;

    LoadTrace(ModelSpec spec, String slot) {
        this.attributes = Attributes.of(Tracing.MODEL, spec.id(), Tracing.NAMESPACE, spec.namespace(), Tracing.SLOT, slot);
        this.load = Tracing.tracer().spanBuilder("load").setSpanKind(SpanKind.INTERNAL).setAllAttributes(attributes).startSpan();
        this.download = Tracing.tracer().spanBuilder("download").setParent(Context.current().with(load)).setAllAttributes(attributes)
                .startSpan();
    }

    /** The artifact is in the local cache, or could not be had. */
    void downloaded(Throwable failure) {
        if (failure != null) {
            Tracing.failed(download, failure);
        }
        download.end();
    }

    /** Starts the runtime's phase; the returned span is current until closed. */
    Phase runtimeLoad() {
        Span span = Tracing.tracer().spanBuilder("runtime load").setParent(Context.current().with(load)).setAllAttributes(attributes)
                .startSpan();
        return new Phase(span, span.makeCurrent());
    }

    /** The load is over, LOADED or FAILED. */
    void ended(Throwable failure) {
        if (failure != null) {
            Tracing.failed(load, failure);
        }
        load.end();
    }

    /** A phase in progress. */
    record Phase(Span span, Scope scope) implements AutoCloseable {
        void failed(Throwable t) {
            Tracing.failed(span, t);
        }

        @Override
        public void close() {
            scope.close();
            span.end();
        }
    }
}
