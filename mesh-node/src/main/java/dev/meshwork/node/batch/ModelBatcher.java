package dev.meshwork.node.batch;

import dev.meshwork.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;

import dev.meshwork.placement.registry.Batching;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.TensorBatches;
import dev.meshwork.runtime.LoadedModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Dynamic batching for one model on one node. One batch runs at a time (as one Triton model
 * instance): with a lane per core, the front door's own work on a 2-core node kept requests from
 * ever queueing, and no batch formed (perf/README.md, batching). A request that finds no batch
 * running runs at once (alone: a lone user pays no wait); requests that come while one runs queue,
 * and when it ends the oldest of them leads the next batch with every queued request that shares its
 * {@link TensorBatches#key} (same loaded copy, input names, datatypes, shapes beyond the first
 * dimension, requested outputs, parameters), up to {@code maxBatchSize} rows. A queued request
 * that has waited {@code maxLatency} (or half what its deadline leaves) leads a batch of its own at
 * once, beside the one running. The
 * leader runs the batch on its own thread and hands each request its rows; if a batch of several
 * fails, each of its requests runs alone, so that one bad request fails only itself. Request
 * threads call {@link #infer}; they block. Thread-safe.
 */
public final class ModelBatcher {
    /** Told each batch run once it has run, for metrics; called on the leader's thread. */
    public interface Listener {
        Listener NONE = (requests, rows, oldestWaitNanos, runNanos) -> { };

        void batch(int requests, int rows, long oldestWaitNanos, long runNanos);
    }

    private static final List<Pending> DONE = List.of();

    private final Batching settings;
    private final Listener listener;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Batches that may run at once. */
    private final int lanes;
    private int running;

    /** One request: its rows, its answer, and what it is told while it waits (a batch to lead, or {@link #DONE}). */
    private static final class Pending {
        final InferenceRequest request;
        final LoadedModel model;
        final String key;
        final int rows;
        final long queuedAt = System.nanoTime();
        final CompletableFuture<List<Pending>> signal = new CompletableFuture<>();
        final CompletableFuture<InferenceResponse> answer = new CompletableFuture<>();
        boolean taken; // under the lock

        Pending(InferenceRequest request, LoadedModel model, String key, int rows) {
            this.request = request;
            this.model = model;
            this.key = key;
            this.rows = rows;
        }
    }

    public ModelBatcher(Batching settings, Listener listener) {
        this(settings, listener, 1);
    }

    /** A batcher that runs at most {@code lanes} batches at once. */
    public ModelBatcher(Batching settings, Listener listener, int lanes) {
        this.settings = settings;
        this.listener = listener;
        this.lanes = Math.max(1, lanes);
    }

    public Batching settings() {
        return settings;
    }

    /** Runs the request on {@code model}, in a batch when others like it are waiting. */
    public InferenceResponse infer(LoadedModel model, InferenceRequest request) {
        int rows = TensorBatches.rows(request);
        if (rows < 1 || rows >= settings.maxBatchSize()) {
            return model.infer(request); // nothing to join (BYTES inputs, no batch dimension) or a batch already
        }
        Pending p = new Pending(request, model, TensorBatches.key(request), rows);
        List<Pending> lead = null;
        synchronized (lock) {
            if (running < lanes) {
                running++;
                lead = take(p);
            } else {
                queue.add(p);
            }
        }
        if (lead == null) {
            Span wait = Tracing.start("batch wait", SpanKind.INTERNAL);
            try {
                lead = await(p);
            } finally {
                wait.setAttribute("meshwork.batch.led", lead != DONE);
                wait.end();
            }
        }
        if (lead != DONE) {
            run(lead);
        }
        return answer(p);
    }

    /**
     * Waits to be given a batch to lead, or its answer; past {@code maxLatency}, or half the time
     * its caller's deadline leaves (the gRPC call's, which travels with the work), leads a batch of
     * its own, so that waiting never costs a request its deadline.
     */
    private List<Pending> await(Pending p) {
        long wait = TimeUnit.MICROSECONDS.toNanos(settings.maxLatencyMicros());
        io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
        if (deadline != null) {
            wait = Math.min(wait, Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS) / 2));
        }
        try {
            return p.signal.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException waitedLongEnough) {
            synchronized (lock) {
                if (!p.taken) {
                    queue.remove(p);
                    running++;
                    return take(p);
                }
            }
            return waitFor(p.signal); // taken by a batch meanwhile: its leader tells it
        } catch (InterruptedException | ExecutionException e) {
            throw interrupted(e);
        }
    }

    /**
     * Takes {@code head} and the queued requests that share its key, up to the batch's rows (the
     * largest preferred size the queue fills, when there are preferred sizes); under the lock.
     */
    private List<Pending> take(Pending head) {
        List<Pending> batch = new ArrayList<>();
        head.taken = true;
        batch.add(head);
        int rows = head.rows;
        int limit = settings.maxBatchSize();
        if (!settings.preferredSizes().isEmpty()) {
            int available = head.rows;
            for (Pending q : queue) {
                if (q != head && q.model == head.model && q.key.equals(head.key)) {
                    available += q.rows;
                }
            }
            limit = Math.max(head.rows, settings.rowsFor(available));
        }
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && rows < limit; ) {
            Pending q = it.next();
            // the same loaded copy, not just an equal key: a reload may leave requests of the old copy queued beside the new one's
            if (q != head && q.model == head.model && q.key.equals(head.key) && rows + q.rows <= limit) {
                it.remove();
                q.taken = true;
                batch.add(q);
                rows += q.rows;
            }
        }
        return batch;
    }

    /**
     * Runs a batch on this (its leader's) thread, tells the listener (before any caller has its
     * answer, so meters read after an answer include its batch), answers its requests, and hands
     * the next batch to the oldest waiting request.
     */
    private void run(List<Pending> batch) {
        long start = System.nanoTime();
        Object[] outcomes = null;
        try {
            outcomes = batch.size() == 1 ? new Object[]{alone(batch.get(0))} : together(batch);
            listener.batch(batch.size(), batch.stream().mapToInt(x -> x.rows).sum(), start - batch.get(0).queuedAt, System.nanoTime() - start);
        } finally {
            for (int i = 0; i < batch.size(); i++) {
                Object o = outcomes == null ? new IllegalStateException("the batch did not run") : outcomes[i];
                if (o instanceof Throwable t) {
                    batch.get(i).answer.completeExceptionally(t);
                } else {
                    batch.get(i).answer.complete((InferenceResponse) o);
                }
            }
            List<Pending> next = null;
            synchronized (lock) {
                running--;
                if (running < lanes && !queue.isEmpty()) {
                    running++;
                    next = take(queue.poll());
                }
            }
            for (Pending x : batch) {
                x.signal.complete(DONE);
            }
            if (next != null) {
                next.get(0).signal.complete(next);
            }
        }
    }

    /** Each request's answer or failure: the batch's rows cut back out, or, if the batch failed, each run alone. */
    private static Object[] together(List<Pending> batch) {
        int[] rows = new int[batch.size()];
        String[] ids = new String[batch.size()];
        List<InferenceRequest> requests = new ArrayList<>(batch.size());
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).rows;
            ids[i] = batch.get(i).request.id();
            requests.add(batch.get(i).request);
        }
        Object[] outcomes = new Object[batch.size()];
        try {
            List<InferenceResponse> answers = TensorBatches.split(batch.get(0).model.infer(TensorBatches.join(requests)), rows, ids);
            for (int i = 0; i < rows.length; i++) {
                outcomes[i] = answers.get(i);
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < rows.length; i++) {
                outcomes[i] = alone(batch.get(i)); // each request gets its own answer, or its own error
            }
        }
        return outcomes;
    }

    /** The request's answer, or what it threw. */
    private static Object alone(Pending p) {
        try {
            return p.model.infer(p.request);
        } catch (Throwable t) {
            return t;
        }
    }

    private static InferenceResponse answer(Pending p) {
        try {
            return p.answer.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw MeshError.wrap(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw interrupted(e);
        }
    }

    private static List<Pending> waitFor(CompletableFuture<List<Pending>> signal) {
        try {
            return signal.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw interrupted(e);
        }
    }

    private static MeshError interrupted(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for a batch: " + e, e);
    }
}
