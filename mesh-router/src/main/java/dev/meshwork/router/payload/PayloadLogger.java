package dev.meshwork.router.payload;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Payload logging (KServe's logger): the requests and answers of models whose registration has a
 * logger are POSTed to its URL as CloudEvents, off the request path. Each sink (URL) has its own
 * bounded queue, so a dead sink of one tenant never holds up another's events; all queues share
 * one bound on bytes. Request threads only offer events (never blocking: a full queue drops the
 * event and counts it); each sink's drainer, a virtual thread, hands its events to virtual
 * threads, at most {@code concurrency} at once per sink, which make the JSON body, post it and
 * retry with doubling back-off. A slow or dead sink fills its queue, and then costs serving one
 * failed offer per event.
 */
public final class PayloadLogger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PayloadLogger.class);
    private final PayloadLogConfig config;
    private final SinkAddresses sinks;
    private final Supplier<String> source;
    private final Map<String, Sink> queues = new ConcurrentHashMap<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong queuedEvents = new AtomicLong();
    private final HttpClient http;
    private final Counter sent;
    private final MeterRegistry meters;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();
    /** Distinct sink URLs a router keeps a queue for; more is a misuse, and their events are dropped. */
    static final int MAX_SINKS = 10_000;
    private volatile boolean closed;

    /** {@code source} is the CloudEvents source of this router's events (its REST address, once it listens). */
    public PayloadLogger(PayloadLogConfig config, MeterRegistry meters, Supplier<String> source) {
        this.config = config;
        this.meters = meters;
        this.source = source;
        this.sinks = new SinkAddresses(config.allowedUrls());
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.timeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could lead past the address checks
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        this.sent = Counter.builder("meshwork.payload.log.sent").description("payload log events a sink accepted").register(meters);
        Gauge.builder("meshwork.payload.log.queue", queuedEvents, AtomicLong::get).description("payload log events waiting to be sent")
                .register(meters);
    }

    /** One sink's queue and the virtual thread that drains it. */
    private final class Sink {
        final BlockingQueue<CloudEvent> queue = new ArrayBlockingQueue<>(config.queueSize());
        final Semaphore sending = new Semaphore(config.concurrency());

        Sink() {
            Thread.ofVirtual().name("payload-log-sink").start(this::drain);
        }

        private void drain() {
            while (!closed) {
                try {
                    CloudEvent e = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (e == null) {
                        continue;
                    }
                    sending.acquire();
                    Thread.ofVirtual().name("payload-post").start(() -> {
                        try {
                            send(e);
                        } finally {
                            queuedBytes.addAndGet(-e.bytes());
                            queuedEvents.decrementAndGet();
                            sending.release();
                        }
                    });
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Refuses a registration whose logger this router would never post to (see {@link SinkAddresses}). */
    public void checkRegistration(PayloadLogging logging) {
        sinks.checkRegistration(logging);
    }

    /**
     * Runs {@code call}, an inference on {@code served}, and logs its request and its answer (or
     * its error, as {@code {"error": ...}}) when the model has a logger; without one, only runs it.
     *
     * @param called    the name the client called (a vmodel's, or the model's own)
     * @param requestId the request's id (the client's, or empty for a new one), asked only when the model has a logger
     */
    public <T> T logged(ModelSpec served, String called, Supplier<String> requestId, Supplier<byte[]> request, LongSupplier requestBytes,
                        Callable<T> call, Function<T, byte[]> answer, ToLongFunction<T> answerBytes) throws Exception {
        PayloadLogging logging = served.logging();
        if (!logging.enabled()) {
            return call.call();
        }
        String asked = requestId.get();
        String id = asked == null || asked.isEmpty() ? UUID.randomUUID().toString() : asked;
        String service = ModelSpec.nameOf(called);
        if (logging.requests()) {
            offer(new CloudEvent(logging.url(), CloudEvent.REQUEST, id, source.get(), service, served.namespace(), served.name(),
                    Instant.now(), request, requestBytes.getAsLong()));
        }
        T result;
        try {
            result = call.call();
        } catch (Exception e) {
            if (logging.responses()) {
                byte[] error = JsonTensorCodec.errorBody(MeshError.wrap(e).getMessage());
                offer(new CloudEvent(logging.url(), CloudEvent.RESPONSE, id, source.get(), service, served.namespace(), served.name(),
                        Instant.now(), () -> error, error.length));
            }
            throw e;
        }
        if (logging.responses()) {
            T r = result;
            offer(new CloudEvent(logging.url(), CloudEvent.RESPONSE, id, source.get(), service, served.namespace(), served.name(),
                    Instant.now(), () -> answer.apply(r), answerBytes.applyAsLong(r)));
        }
        return result;
    }

    /** The id a request's events carry: its {@code x-request-id} header, else the id in its body, else empty (a new one is made). */
    public static String requestId(String header, String bodyId) {
        return header != null && !header.isEmpty() && header.length() <= 256 ? header : bodyId;
    }

    private void offer(CloudEvent e) {
        if (closed) {
            return;
        }
        Sink sink = queues.get(e.url());
        if (sink == null) {
            if (queues.size() >= MAX_SINKS) {
                drop("too_many_sinks", e, "this router already sends to " + MAX_SINKS + " sinks");
                return;
            }
            sink = queues.computeIfAbsent(e.url(), url -> new Sink()); // one per registered url: bounded by the registrations
        }
        if (queuedBytes.addAndGet(e.bytes()) > config.maxQueueBytes()) {
            queuedBytes.addAndGet(-e.bytes());
            drop("queue_full", e, "the queues hold payloadLog.maxQueueBytes already");
            return;
        }
        if (!sink.queue.offer(e)) {
            queuedBytes.addAndGet(-e.bytes());
            drop("queue_full", e, "its queue holds payloadLog.queueSize events already");
            return;
        }
        queuedEvents.incrementAndGet();
    }

    private void send(CloudEvent e) {
        String refusal = sinks.refusalFor(e.url());
        if (!refusal.isEmpty()) {
            drop("refused", e, refusal);
            return;
        }
        byte[] body;
        try {
            body = e.body().get();
        } catch (RuntimeException ex) {
            drop("unencodable", e, ex.toString());
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(e.url())).timeout(Duration.ofMillis(config.timeoutMs()))
                .headers(e.headers()).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String why = "";
        for (int attempt = 0; attempt <= config.retries() && !closed; attempt++) {
            if (attempt > 0) {
                long backoff = config.retryBackoffMs() << (attempt - 1);
                try {
                    Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    sent.increment();
                    return;
                }
                why = "the sink answered " + status;
                if (status / 100 == 4 && status != 408 && status != 429) {
                    drop("rejected", e, why); // the sink will not take it however often it is sent
                    return;
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception ex) {
                why = ex.toString();
            }
        }
        drop("failed", e, why);
    }

    private void drop(String reason, CloudEvent e, String why) {
        dropped.computeIfAbsent(reason, r -> Counter.builder("meshwork.payload.log.dropped")
                .description("payload log events not delivered, by reason").tag("reason", r).register(meters)).increment();
        long now = System.nanoTime();
        Long last = lastWarned.get(e.url());
        if (last == null || now - last > 10_000_000_000L) { // a dead sink would otherwise write a line per request
            lastWarned.put(e.url(), now);
            LOG.warn("payload log events for {} are dropped ({}): {}", ModelSpec.redactUri(e.url()), reason, why);
        }
    }

    @Override
    public void close() {
        closed = true;
        http.close();
    }
}
