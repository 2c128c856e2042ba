package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelStreamInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two routers and three nodes as separate processes: 30 models whose total size is about twice
 * what the nodes hold, requests through both routers. Every answer is right, no slot ever goes
 * over its budget, no model has two copies at once; then one router is killed and the other
 * serves everything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterServingTest {
    /** Each example ONNX model is predicted at about 1.05 MB: five fit a node, fifteen the cluster. */
    static final long SLOT_BYTES = 5_400_000;
    static final String[] EXAMPLES = {"mlp-classifier", "add-vectors", "typed-ops"};
    static final int MODELS = 30;

    @TempDir
    static Path dir;
    static MeshCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        // the autoscale signal looks every 200 ms and steps up with no cool-down, so the metrics case sees what the first
        // case's traffic asks for
        cluster = MeshCluster.start(dir, 2, 3, List.of("--node.slotMemoryBytes=" + SLOT_BYTES),
                List.of("--autoscale.intervalMs=200", "--autoscale.upCooldownMs=0"));
        for (int i = 0; i < MODELS; i++) {
            cluster.registerOnnx(cluster.router(i % 2), model(i), EXAMPLES[i % EXAMPLES.length]);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String model(int i) {
        return String.format("m-%02d", i);
    }

    /** Sends one request for model i through the router and checks the answer; returns the failure, if any. */
    static String inferAndCheck(MeshProcess router, int i) throws Exception {
        JsonNode cs = Fixtures.cases(EXAMPLES[i % EXAMPLES.length]).get(0);
        MeshExtension.Http r = cluster.post(router, "/v2/models/" + model(i) + "/infer", Fixtures.v2Body(cs));
        if (r.status() != 200) {
            return model(i) + ": " + r.status() + " " + r.body();
        }
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), cs.get("outputs"));
        return null;
    }

    @Test
    @Order(1)
    void everyAnswerIsRightWithinBudgetAndOneCopyPerModel() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // every 50 ms, while the load runs: no slot over budget, never two copies of a model
        AtomicInteger looks = new AtomicInteger();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        watch.scheduleWithFixedDelay(() -> {
            try {
                looks.incrementAndGet();
                for (JsonNode n : Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/nodes").body()).get("nodes")) {
                    for (JsonNode s : n.get("slots")) {
                        if (s.get("usedBytes").asLong() > s.get("capacityBytes").asLong()) {
                            violations.add(n.get("node").asText() + "/" + s.get("name").asText() + " over budget: " + s);
                        }
                    }
                }
                for (JsonNode m : Fixtures.JSON.readTree(cluster.get(cluster.router(1), "/v1/mesh/models").body()).get("models")) {
                    if (m.get("copies").size() > 1) {
                        violations.add(m.get("name").asText() + " has " + m.get("copies").size() + " copies: " + m.get("copies"));
                    }
                }
            } catch (Exception e) {
                violations.add("the watcher could not look: " + e);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        List<Future<List<String>>> drivers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            MeshProcess router = cluster.router(r);
            long seed = r;
            drivers.add(pool.submit(() -> {
                Random random = new Random(seed);
                List<String> failures = new ArrayList<>();
                for (int k = 0; k < 150; k++) {
                    String f = inferAndCheck(router, random.nextInt(MODELS));
                    if (f != null) {
                        failures.add(f);
                    }
                }
                return failures;
            }));
        }
        for (Future<List<String>> d : drivers) {
            assertThat(d.get(240, TimeUnit.SECONDS)).as("failed requests").isEmpty();
        }
        running.set(false);
        watch.shutdown();
        assertThat(watch.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(looks.get()).as("the watcher looked").isPositive();
        pool.shutdownNow();
        assertThat(violations).isEmpty();

        JsonNode nodes = Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/nodes").body()).get("nodes");
        long evictions = 0;
        int loaded = 0;
        for (JsonNode n : nodes) {
            for (JsonNode s : n.get("slots")) {
                evictions += s.get("evictions").asLong();
                loaded += s.get("models").size();
            }
        }
        assertThat(evictions).as("30 models in room for about 15 means evictions").isPositive();
        assertThat(loaded).as("every node holds models").isBetween(9, 18);
        assertThat(nodes).allSatisfy(n -> assertThat(n.get("slots").get(0).get("models").size()).isPositive());
    }

    @Test
    @Order(2)
    void routersAndNodesReportWhatTheyDidAsMetrics() throws Exception {
        assertThat(cluster.get(cluster.router(0), "/v2/health/ready").status()).as("joined, with nodes: ready").isEqualTo(200);
        String router = cluster.get(cluster.router(0), "/metrics").body();
        assertThat(metric(router, "meshwork_request_seconds_count", "model=\"m-00\"", "protocol=\"rest-v2\"", "outcome=\"ok\""))
                .as("requests for m-00 through router 0").isPositive();
        assertThat(metric(router, "meshwork_forward_requests_total", "result=\"miss\"")).isPositive();
        assertThat(metric(router, "meshwork_forward_requests_total", "result=\"hit\"")).isPositive();
        assertThat(metric(router, "meshwork_forward_loads_seconds_count", "outcome=\"ok\"")).isPositive();
        assertThat(metric(router, "meshwork_cluster_nodes")).isEqualTo(3);
        double loads = 0;
        double evictions = 0;
        for (int i = 0; i < cluster.nodeCount(); i++) {
            String node = cluster.get(cluster.node(i), "/metrics").body();
            assertThat(metric(node, "meshwork_slot_capacity_bytes", "slot=\"onnx-0\"")).isEqualTo(SLOT_BYTES);
            assertThat(metric(node, "meshwork_slot_used_bytes", "slot=\"onnx-0\"")).isBetween(0.0, (double) SLOT_BYTES);
            loads += metric(node, "meshwork_model_load_seconds_count", "slot=\"onnx-0\"", "outcome=\"ok\"");
            evictions += metric(node, "meshwork_slot_evictions_total", "slot=\"onnx-0\"");
            assertThat(cluster.get(cluster.node(i), "/health/ready").status()).isEqualTo(200);
        }
        assertThat(loads).as("loads across the nodes").isGreaterThanOrEqualTo(MODELS / 2.0);
        assertThat(evictions).isPositive();

        // the models this router served do not fit the three nodes' slot memory at 80%: it asks for more nodes
        String scrape = cluster.get(cluster.router(0), "/metrics").body();
        for (int i = 0; i < 50 && metric(scrape, "meshwork_desired_nodes") <= 3; i++) {
            Thread.sleep(100);
            scrape = cluster.get(cluster.router(0), "/metrics").body();
        }
        assertThat(metric(scrape, "meshwork_autoscale_ready_nodes")).isEqualTo(3);
        // the other slots (XGBoost, LightGBM, ...) have memory too, which ONNX models cannot use: it does not count for them
        assertThat(metric(scrape, "meshwork_autoscale_capacity_bytes")).isGreaterThan(3.0 * SLOT_BYTES);
        assertThat(metric(scrape, "meshwork_autoscale_working_set_bytes")).as("the models router 0 served, one copy each")
                .isGreaterThan(0.8 * 3 * SLOT_BYTES);
        assertThat(metric(scrape, "meshwork_autoscale_raw_nodes")).isBetween(4.0, 10.0);
        assertThat(metric(scrape, "meshwork_desired_nodes")).isBetween(4.0, 10.0);
    }

    /** The value of the first sample of {@code name} whose labels contain every one of {@code labels}. */
    static double metric(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                boolean all = true;
                for (String l : labels) {
                    all &= line.contains(l);
                }
                if (all) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        throw new AssertionError("no sample " + name + " with " + String.join(",", labels) + " in:\n" + scrape);
    }

    @Test
    @Order(3)
    void aStreamsAnswersComeBackInOrderFromTheNodesHoldingEachModelWithErrorsInTheirMessages() throws Exception {
        for (int r = 0; r < 2; r++) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.router(r).grpcPort()).usePlaintext().build();
            try {
                // 90 requests on one stream over all 30 models (more than the nodes hold: loads and evictions happen
                // under it), every 10th for a model that does not exist and one with the wrong shape
                List<ModelInferRequest> sent = new ArrayList<>();
                for (int i = 0; i < 90; i++) {
                    String model = i % 10 == 9 ? "nope" : model((i * 7) % MODELS);
                    JsonNode cs = Fixtures.cases(EXAMPLES[model.equals("nope") ? 0 : ((i * 7) % MODELS) % EXAMPLES.length]).get(0);
                    boolean raw = i % 2 == 0 || cs.toString().contains("FP16"); // FP16 has no typed contents
                    ModelInferRequest.Builder b = (raw ? Fixtures.rawRequest(model, cs) : Fixtures.typedRequest(model, cs)).toBuilder()
                            .setId("s-" + i);
                    if (i == 44) {
                        b.getInputsBuilder(0).clearShape().addShape(1).addShape(999);
                    }
                    sent.add(b.build());
                }
                Recorder answers = new Recorder();
                StreamObserver<ModelInferRequest> requests = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                        .modelStreamInfer(answers);
                sent.forEach(requests::onNext);
                requests.onCompleted();
                assertThat(answers.awaitCompletion(120, TimeUnit.SECONDS)).as("the stream ends").isTrue();
                assertThat(answers.getError()).isNull();
                List<ModelStreamInferResponse> got = answers.getValues();
                assertThat(got).hasSize(sent.size());
                for (int i = 0; i < sent.size(); i++) {
                    ModelStreamInferResponse a = got.get(i);
                    String model = sent.get(i).getModelName();
                    if (model.equals("nope")) {
                        assertThat(a.getErrorMessage()).as("answer %d", i).contains("model 'nope' is not registered");
                    } else if (i == 44) {
                        assertThat(a.getErrorMessage()).as("answer %d", i).isNotEmpty();
                    } else {
                        assertThat(a.getErrorMessage()).as("answer %d: %s", i, a.getErrorMessage()).isEmpty();
                        assertThat(a.getInferResponse().getId()).as("answer %d in order", i).isEqualTo("s-" + i);
                        assertThat(a.getInferResponse().getModelName()).isEqualTo(model);
                        int example = Integer.parseInt(model.substring(2)) % EXAMPLES.length;
                        Fixtures.assertOutputs(Fixtures.outputs(a.getInferResponse()), Fixtures.cases(EXAMPLES[example]).get(0).get("outputs"));
                    }
                }
                // the stream's deadline holds: an open stream past it ends with DEADLINE_EXCEEDED, not a hang
                Recorder late = new Recorder();
                StreamObserver<ModelInferRequest> open = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                        .modelStreamInfer(late);
                open.onNext(sent.get(0));
                assertThat(late.awaitCompletion(30, TimeUnit.SECONDS)).isTrue();
                assertThat(io.grpc.Status.fromThrowable(late.getError()).getCode()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED);
                assertThat(late.getValues()).as("the one request sent was answered before the deadline").hasSizeLessThanOrEqualTo(1);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(4)
    void clusterNodesStartThePythonRuntimeOfTheBuiltInCatalog() throws Exception {
        String iris = MeshProcess.repoRoot().resolve("examples/python/sklearn-iris").toString();
        MeshExtension.Http reg = cluster.put(cluster.router(0), "/v1/mesh/models/iris", """
                {"modelFormat": {"name": "sklearn"}, "storageUri": "%s"}""".formatted(iris));
        assertThat(reg.status()).as(reg.body()).isEqualTo(201);
        MeshExtension.Http r = cluster.post(cluster.router(1), "/v1/models/iris:predict", "{\"instances\": [[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(r.body()).get("predictions").toString()).isEqualTo("[1,1]");
        JsonNode copies = Fixtures.JSON.readTree(cluster.get(cluster.router(0), "/v1/mesh/models/iris").body()).get("copies");
        assertThat(copies.get(0).get("slot").asText()).isEqualTo("kserve-mlserver-0");
        assertThat(cluster.delete(cluster.router(0), "/v1/mesh/models/iris").status()).isBetween(200, 299); // the next test counts registrations
    }

    @Test
    @Order(5)
    void whenOneRouterDiesTheOtherServesEverything() throws Exception {
        cluster.router(0).kill();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < MODELS; i++) {
            String f = inferAndCheck(cluster.router(1), i);
            if (f != null) {
                failures.add(f);
            }
        }
        assertThat(failures).isEmpty();
        JsonNode models = Fixtures.JSON.readTree(cluster.get(cluster.router(1), "/v1/mesh/models").body()).get("models");
        assertThat(models).as("no registration is lost with the router").hasSize(MODELS);
    }

    /** A stream's answers as they arrive, and how it ended. */
    static final class Recorder implements StreamObserver<ModelStreamInferResponse> {
        private final List<ModelStreamInferResponse> values = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private volatile Throwable error;

        @Override
        public void onNext(ModelStreamInferResponse value) {
            values.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }

        boolean awaitCompletion(long time, TimeUnit unit) throws InterruptedException {
            return done.await(time, unit);
        }

        Throwable getError() {
            return error;
        }

        List<ModelStreamInferResponse> getValues() {
            return List.copyOf(values);
        }
    }
}
