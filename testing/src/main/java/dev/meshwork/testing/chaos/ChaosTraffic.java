package dev.meshwork.testing.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Open-loop traffic for a chaos run: requests at a fixed rate whatever the answers take, to models
 * chosen by Zipf popularity, alternately over REST v2 and gRPC, through the routers in turn. Every
 * answer's numbers are checked against the adder's sum of the request's own inputs. Like a load
 * balancer with health checks, a router that cannot be reached is skipped for 2 s and the request
 * tried once on another; an answer (any status a router gave) is never retried. The scheduler runs
 * on its own thread, each request on a virtual thread; outcomes go to a concurrent queue.
 */
public final class ChaosTraffic implements AutoCloseable {
    /** What happened to one request. */
    public enum Kind {
        OK, ERROR, WRONG
    }

    /**
     * One request.
     *
     * @param sentMs  when it was sent, in milliseconds since the run's start
     * @param copies  LOADED copies of its model when it was sent, as last seen
     */
    public record Outcome(long sentMs, long latencyMicros, String model, String protocol, int copies, Kind kind, String detail) {
    }

    private static final long TIMEOUT_MS = 20_000;
    private static final long DOWN_MS = 2_000;
    private static final int MAX_IN_FLIGHT = 4_000;

    private final Supplier<List<MeshProcess>> routers;
    private final List<String> models;
    private final double[] cumulative;
    private final ToIntFunction<String> copies;
    private final double ratePerSecond;
    private final long startNanos;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, Long> downUntil = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private volatile boolean running = true;
    private volatile long dropped;
    private Thread scheduler;
    private int turn;

    public ChaosTraffic(Supplier<List<MeshProcess>> routers, List<String> models, ToIntFunction<String> copies, double ratePerSecond,
                        long seed, long startNanos) {
        this.routers = routers;
        this.models = List.copyOf(models);
        this.copies = copies;
        this.ratePerSecond = ratePerSecond;
        this.startNanos = startNanos;
        this.random = new Random(seed);
        this.cumulative = new double[models.size()];
        double sum = 0;
        for (int i = 0; i < models.size(); i++) {
            sum += 1.0 / (i + 1); // Zipf, exponent 1
            cumulative[i] = sum;
        }
        for (int i = 0; i < cumulative.length; i++) {
            cumulative[i] /= sum;
        }
    }

    public void start() {
        scheduler = Thread.ofPlatform().daemon().name("chaos-traffic").start(this::schedule);
    }

    private void schedule() {
        long gap = (long) (1e9 / ratePerSecond);
        long next = System.nanoTime();
        int n = 0;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                continue;
            }
            next += gap;
            String model = models.get(pick(random.nextDouble()));
            boolean grpc = (n++ & 1) == 1;
            int a = random.nextInt(1000);
            int b = random.nextInt(1000);
            if (!inFlight.tryAcquire()) {
                dropped++; // the client's own bound: never more than MAX_IN_FLIGHT waiting answers
                continue;
            }
            requests.execute(() -> {
                try {
                    outcomes.add(send(model, grpc, a, b));
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private int pick(double u) {
        int i = java.util.Arrays.binarySearch(cumulative, u);
        return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
    }

    private long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private Outcome send(String model, boolean grpc, int a, int b) {
        long sent = System.nanoTime();
        long sentMs = nowMs();
        int seenCopies = copies.applyAsInt(model);
        String protocol = grpc ? "grpc" : "rest";
        String last = "no router reachable";
        for (int attempt = 0; attempt < 2; attempt++) {
            MeshProcess router = router();
            if (router == null) {
                break;
            }
            try {
                List<Double> got = grpc ? grpc(router, model, a, b) : rest(router, model, a, b);
                long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent);
                boolean right = got.size() == 2 && got.get(0) == a + 10.0 && got.get(1) == b + 20.0;
                return new Outcome(sentMs, micros, model, protocol, seenCopies, right ? Kind.OK : Kind.WRONG,
                        right ? "" : "inputs " + a + "," + b + " answered " + got);
            } catch (Unreachable e) {
                downUntil.put(router.http(), nowMs() + DOWN_MS);
                last = e.getMessage();
            } catch (Answered e) {
                return new Outcome(sentMs, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent), model, protocol, seenCopies, Kind.ERROR,
                        e.getMessage());
            }
        }
        return new Outcome(sentMs, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent), model, protocol, seenCopies, Kind.ERROR, last);
    }

    /** The next router in turn that is not marked down; null when every one is. */
    private synchronized MeshProcess router() {
        List<MeshProcess> all = routers.get();
        long now = nowMs();
        for (int i = 0; i < all.size(); i++) {
            MeshProcess r = all.get(Math.floorMod(turn++, all.size()));
            if (downUntil.getOrDefault(r.http(), 0L) <= now) {
                return r;
            }
        }
        return null;
    }

    /** The request's second input is the constant (10, 20), so a right answer is (a + 10, b + 20). */
    private List<Double> rest(MeshProcess router, String model, int a, int b) {
        String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[" + a + "," + b + "]},"
                + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/" + model + "/infer"))
                    .timeout(Duration.ofMillis(TIMEOUT_MS)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new Answered("no answer within " + TIMEOUT_MS + " ms");
        } catch (IOException e) {
            throw new Unreachable("router " + router.http() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Answered("interrupted");
        }
        if (r.statusCode() != 200) {
            throw new Answered(r.statusCode() + " " + r.body());
        }
        try {
            return values(Fixtures.JSON.readTree(r.body()).get("outputs").get(0).get("data"));
        } catch (IOException | RuntimeException e) {
            return List.of(); // counted as a wrong answer, with the body
        }
    }

    private List<Double> grpc(MeshProcess router, String model, int a, int b) {
        ManagedChannel ch = channels.computeIfAbsent(router.grpcPort(), p -> NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build());
        ModelInferRequest.Builder req = ModelInferRequest.newBuilder().setModelName(model);
        req.addInputsBuilder().setName("a").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(a).addFp32Contents(b));
        req.addInputsBuilder().setName("b").setDatatype("FP32").addShape(1).addShape(2)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(10).addFp32Contents(20));
        try {
            return values(Fixtures.outputs(GRPCInferenceServiceGrpc.newBlockingStub(ch).withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .modelInfer(req.build())).get(0).get("data"));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && !GrpcErrors.isAnswer(e)) {
                throw new Unreachable("router " + router.grpcPort() + ": " + e.getStatus());
            }
            throw new Answered(e.getStatus().getCode() + " " + e.getStatus().getDescription());
        }
    }

    private static List<Double> values(JsonNode data) {
        List<Double> out = new ArrayList<>();
        data.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    /** Stops sending and waits (bounded) for the answers still on their way. */
    public List<Outcome> stop() {
        running = false;
        try {
            if (scheduler != null) {
                scheduler.join(5_000);
            }
            inFlight.tryAcquire(MAX_IN_FLIGHT, TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.copyOf(outcomes);
    }

    /** Requests not sent because MAX_IN_FLIGHT answers were outstanding. */
    public long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        running = false;
        requests.shutdownNow();
        channels.values().forEach(ManagedChannel::shutdownNow);
    }

    /** The router could not be reached (refused, reset, closed): another may take the request. */
    private static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** A router answered with an error (or not in time): the request's outcome. */
    private static final class Answered extends RuntimeException {
        Answered(String message) {
            super(message, null, false, false);
        }
    }
}
