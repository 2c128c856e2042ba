package dev.meshwork.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load: N users, each sends its next request when the previous one answered. A warm-up
 * runs first and is not recorded. Latencies go to an HdrHistogram (1 µs to 60 s, 3 digits).
 * Blocking calls run on N platform threads; async calls chain on their completion callbacks.
 */
public final class ClosedLoop {
    /** One measured phase. */
    public record Result(String name, int concurrency, long requests, long errors, double seconds, double throughput,
                         double p50us, double p90us, double p99us, double p999us, double maxUs) {
        static Result of(String name, int concurrency, Histogram h, long errors, double seconds) {
            return new Result(name, concurrency, h.getTotalCount(), errors, seconds, h.getTotalCount() / seconds,
                    h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
        }
    }

    /** A call that blocks until answered; throws on failure. */
    public interface BlockingCall {
        void call() throws Exception;
    }

    private final double warmupSeconds;
    private final double measureSeconds;

    public ClosedLoop(double warmupSeconds, double measureSeconds) {
        this.warmupSeconds = warmupSeconds;
        this.measureSeconds = measureSeconds;
    }

    public Result runBlocking(String name, int concurrency, BlockingCall call) throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (measureSeconds * 1e9);
        List<Thread> users = new ArrayList<>();
        for (int u = 0; u < concurrency; u++) {
            users.add(Thread.ofPlatform().name("bench-user-" + u).start(() -> {
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        return;
                    }
                    boolean ok = true;
                    try {
                        call.call();
                    } catch (Exception e) {
                        ok = false;
                    }
                    if (t0 >= measureFrom) {
                        if (ok) {
                            recorder.recordValue(System.nanoTime() - t0);
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                }
            }));
        }
        for (Thread t : users) {
            t.join();
        }
        return Result.of(name, concurrency, recorder.getIntervalHistogram(), errors.get(), measureSeconds);
    }

    public Result runAsync(String name, int concurrency, Supplier<CompletableFuture<?>> call) throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (measureSeconds * 1e9);
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int u = 0; u < concurrency; u++) {
            next(call, recorder, errors, measureFrom, end, done);
        }
        if (!done.await((long) (warmupSeconds + measureSeconds + 60), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": requests still outstanding 60 s after the end");
        }
        return Result.of(name, concurrency, recorder.getIntervalHistogram(), errors.get(), measureSeconds);
    }

    private static void next(Supplier<CompletableFuture<?>> call, Recorder recorder, AtomicLong errors,
                             long measureFrom, long end, CountDownLatch done) {
        long t0 = System.nanoTime();
        if (t0 >= end) {
            done.countDown();
            return;
        }
        call.get().whenComplete((v, err) -> {
            if (t0 >= measureFrom) {
                if (err == null) {
                    recorder.recordValue(System.nanoTime() - t0);
                } else {
                    errors.incrementAndGet();
                }
            }
            next(call, recorder, errors, measureFrom, end, done);
        });
    }
}
