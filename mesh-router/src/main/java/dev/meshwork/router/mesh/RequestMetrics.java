package dev.meshwork.router.mesh;

import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.router.overload.OverloadGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import dev.meshwork.telemetry.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;

/**
 * What every inference request leaves behind at the router: its latency in {@code meshwork.request},
 * tagged with the protocol, the model (its registered name; names that are neither a model nor a
 * vmodel count as {@code unknown}, so random names cannot blow up the number of series) and the
 * outcome (ok, or the error's kind), with fixed buckets from 1 ms to 10 s; and its server span
 * ({@code infer}), child of the caller's {@code traceparent} when it sent one; and its arrival, which
 * the router's {@link OverloadGate} counts or refuses. Transport threads arrive, request threads time.
 */
public final class RequestMetrics {
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** The arrival of the request this thread is timing (request threads: one request at a time each); null outside one. */
    private static final ThreadLocal<OverloadGate.Arrival[]> ARRIVAL = ThreadLocal.withInitial(() -> new OverloadGate.Arrival[1]);
    private final MeterRegistry registry;
    private final ModelService service;
    /** Timers already made, so the request path does a map read instead of a registry lookup. */
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();

    private record Key(String protocol, String name, String outcome) {
    }

    private final OverloadGate gate;

    public RequestMetrics(MeterRegistry registry, ModelService service, OverloadGate gate) {
        this.registry = registry;
        this.service = service;
        this.gate = gate;
    }

    /**
     * An inference request arrives: called on the transport thread or event loop, before the hand-off to a
     * request thread; refused at once (503 / UNAVAILABLE) when the router runs its overload limit.
     */
    public OverloadGate.Arrival arrive() {
        return gate.arrive();
    }

    /**
     * Runs {@code work}, timing it as a request for {@code name} over {@code protocol}, in a span
     * whose parent is the trace context in the request's {@code headers}.
     */
    public <T> T time(String protocol, String name, UnaryOperator<String> headers, Callable<T> work) throws Exception {
        return time(protocol, name, headers, OverloadGate.Arrival.uncounted(), work);
    }

    /**
     * {@link #time(String, String, UnaryOperator, Callable)} for a request that passed the overload gate on
     * the transport thread, before it waited for a request thread; while {@code work} runs, {@link #arrival()}
     * answers it on this thread, and when it ends the arrival is closed (its place in the cap given back).
     */
    public <T> T time(String protocol, String name, UnaryOperator<String> headers, OverloadGate.Arrival arrived, Callable<T> work)
            throws Exception {
        long started = System.nanoTime();
        String outcome = "ok";
        OverloadGate.Arrival[] arrival = ARRIVAL.get();
        OverloadGate.Arrival outer = arrival[0];
        arrival[0] = arrived;
        try {
            return Tracing.inSpan("infer", SpanKind.SERVER, Tracing.extract(headers),
                    () -> Attributes.of(Tracing.MODEL, name == null ? "" : name, Tracing.PROTOCOL, protocol), work);
        } catch (Exception e) {
            outcome = MeshError.wrap(e).code().name().toLowerCase(Locale.ROOT);
            throw e;
        } finally {
            arrival[0] = outer;
            arrived.close();
            long took = System.nanoTime() - started;
            Key key = new Key(protocol, name == null ? "" : name, outcome);
            Timer timer = timers.get(key);
            if (timer == null) {
                timer = timer(key);
            }
            timer.record(took, TimeUnit.NANOSECONDS);
        }
    }

    /** The arrival of the request this thread is timing, or null when it times none. */
    public static OverloadGate.Arrival arrival() {
        return ARRIVAL.get()[0];
    }

    private Timer timer(Key key) {
        boolean known = service.isRegistered(key.name()) || service.vmodels().get(key.name()).isPresent();
        Timer t = Timer.builder("meshwork.request").description("inference requests, as the router answered them")
                .tags("protocol", key.protocol(), "model", known ? key.name() : "unknown", "outcome", key.outcome())
                .serviceLevelObjectives(BUCKETS).register(registry);
        if (known && timers.size() < 100_000) { // unknown names are not remembered: they are whatever clients send
            timers.put(key, t);
        }
        return t;
    }
}
