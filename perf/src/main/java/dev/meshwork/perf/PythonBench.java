package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.runtime.external.UnixSockets;
import dev.meshwork.protocol.mmesh.LoadModelRequest;
import dev.meshwork.protocol.mmesh.ModelRuntimeGrpc;
import dev.meshwork.protocol.mmesh.RuntimeStatusRequest;
import dev.meshwork.protocol.mmesh.RuntimeStatusResponse;
import dev.meshwork.protocol.mmesh.UnloadModelRequest;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import dev.meshwork.runtime.RuntimeCommand;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench python}: Meshwork's Python runtime, measured three ways side by side in one
 * run. The same scikit-learn model (examples/python/sklearn-logreg, a scaler and a logistic
 * regression) is served (1) through a standalone mesh, which starts the Python runtime as its
 * kserve-mlserver slot, (2) by a Python runtime process of its own, called directly over its Unix
 * socket as the node calls it, and (3) as the same weights exported to ONNX
 * (perf/models/sklearn-logreg-onnx) in the mesh's in-process ONNX Runtime. Loads: {@code cycles}
 * unload/load pairs each, timed to the first answer. Inference: closed loops over gRPC in rounds
 * that alternate which path goes first; medians over the rounds.
 */
final class PythonBench {
    private static final int LOADS = 15;
    private final BenchConfig config;

    PythonBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        RuntimeCommand python = RuntimeCommand.named("meshwork-python-runtime")
                .orElseThrow(() -> new IllegalStateException("meshwork-runtime-python is not on the class path"));
        python.unavailable().ifPresent(why -> {
            throw new IllegalStateException(why + " (bin/python-deps installs it)");
        });
        Path work = Files.createTempDirectory("meshwork-python-bench-");
        Path pickle = root.resolve("examples/python/sklearn-logreg/model.pkl");
        Path onnx = root.resolve("perf/models/sklearn-logreg-onnx/model.onnx");
        ModelInferRequest toMesh = BenchRequests.grpcRequest("logreg-python", BenchRequests.input("logreg"));
        ModelInferRequest toOnnx = BenchRequests.grpcRequest("logreg-onnx", BenchRequests.input("logreg"));
        ModelInferRequest direct = BenchRequests.grpcRequest("logreg-direct", BenchRequests.input("logreg"));
        StringBuilder loads = new StringBuilder();
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        Process runtime = startRuntime(python, work.resolve("rt.sock"), root);
        ManagedChannel uds = UnixSockets.client(NettyChannelBuilder.forTarget("unix://" + work.resolve("rt.sock"))).usePlaintext().build();
        RouterConfig rc = ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), List.of("--http.port=0",
                "--grpc.port=0", "--registry.jdbcUrl=", "--examples=", "--requestThreads=" + config.requestThreads(),
                "--node.storage.roots=" + root.resolve("examples") + "," + root.resolve("perf/models"),
                "--node.storage.cacheDir=" + work.resolve("cache"), "--node.isolation.stateDir=" + work.resolve("state"))).config();
        try (Standalone mesh = Standalone.start(rc)) {
            ManagedChannel tcp = NettyChannelBuilder.forAddress("127.0.0.1", mesh.grpcPort()).usePlaintext().build();
            var meshStub = GRPCInferenceServiceGrpc.newFutureStub(tcp);
            var directStub = GRPCInferenceServiceGrpc.newFutureStub(uds);
            var spi = ModelRuntimeGrpc.newBlockingStub(uds);
            awaitReady(spi);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + mesh.httpPort();
            register(http, base, "logreg-python", "sklearn", pickle);
            register(http, base, "logreg-onnx", "onnx", onnx);

            long started = System.nanoTime();
            int meshClass = predictedClass(meshStub.modelInfer(toMesh).get(120, TimeUnit.SECONDS));
            loads.append(String.format(Locale.ROOT, "first request through the mesh (starts the Python process, imports, loads): %.0f ms%n",
                    (System.nanoTime() - started) / 1e6));
            int onnxClass = predictedClass(meshStub.modelInfer(toOnnx).get(120, TimeUnit.SECONDS));
            LoadModelRequest load = LoadModelRequest.newBuilder().setModelId("logreg-direct").setModelType("sklearn")
                    .setModelPath(pickle.toString()).build();
            spi.withDeadlineAfter(60, TimeUnit.SECONDS).loadModel(load);
            int directClass = predictedClass(directStub.modelInfer(direct).get(60, TimeUnit.SECONDS));
            if (meshClass != directClass || meshClass != onnxClass) {
                throw new IllegalStateException("the three paths disagree on the class: mesh " + meshClass + ", direct " + directClass
                        + ", onnx " + onnxClass);
            }

            double[][] ms = new double[3][LOADS];
            for (int i = 0; i < LOADS; i++) { // alternate the three so the machine's drift favours none
                ms[0][i] = reload(() -> {
                    spi.unloadModel(UnloadModelRequest.newBuilder().setModelId("logreg-direct").build());
                    spi.withDeadlineAfter(60, TimeUnit.SECONDS).loadModel(load);
                    directStub.modelInfer(direct).get(60, TimeUnit.SECONDS);
                });
                ms[1][i] = reload(() -> {
                    unload(http, base, "logreg-python");
                    meshStub.modelInfer(toMesh).get(60, TimeUnit.SECONDS);
                });
                ms[2][i] = reload(() -> {
                    unload(http, base, "logreg-onnx");
                    meshStub.modelInfer(toOnnx).get(60, TimeUnit.SECONDS);
                });
            }
            loads.append(String.format(Locale.ROOT, "%nLoad to first answer, %d times each (the Python process already running):%n%n"
                    + "| path | median ms | p90 ms |%n|---|---:|---:|%n", LOADS));
            String[] names = {"Python runtime, called directly (loadModel + ModelInfer)", "Python runtime through the mesh (unload, then a request)",
                    "ONNX export in-process through the mesh (unload, then a request)"};
            for (int p = 0; p < 3; p++) {
                Arrays.sort(ms[p]);
                loads.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", names[p], ms[p][LOADS / 2], ms[p][(int) (LOADS * 0.9)]));
            }

            ClosedLoop warm = new ClosedLoop(config.warmupSeconds(), 3);
            warm.runAsync("warm-mesh", 4, () -> BenchRequests.toCompletable(meshStub.modelInfer(toMesh)));
            warm.runAsync("warm-onnx", 4, () -> BenchRequests.toCompletable(meshStub.modelInfer(toOnnx)));
            warm.runAsync("warm-direct", 4, () -> BenchRequests.toCompletable(directStub.modelInfer(direct)));
            PairedRounds.alternate(config, loop, results, "python-direct", () -> BenchRequests.toCompletable(directStub.modelInfer(direct)),
                    "python-mesh", () -> BenchRequests.toCompletable(meshStub.modelInfer(toMesh)));
            PairedRounds.alternate(config, loop, results, "mesh-onnx", () -> BenchRequests.toCompletable(meshStub.modelInfer(toOnnx)),
                    "mesh-python", () -> BenchRequests.toCompletable(meshStub.modelInfer(toMesh)));
            tcp.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            uds.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            runtime.destroy();
            runtime.waitFor(10, TimeUnit.SECONDS);
        }
        String summary = PairedRounds.summary(results.stream().filter(r -> r.name().startsWith("python-")).toList(), "-direct", "-mesh",
                "The mesh's hop in front of the Python runtime (gRPC, sklearn-logreg)") + "\n"
                + PairedRounds.summary(results.stream().filter(r -> r.name().startsWith("mesh-")).toList(), "-onnx", "-python",
                "The Python runtime against the same model exported to ONNX, both through the mesh") + loads;
        Map<String, Object> settings = config.closedLoopSettings("python");
        settings.put("model", "sklearn-logreg");
        settings.put("rounds", config.rounds());
        settings.put("command", "./meshwork bench python --seconds=" + config.seconds() + " --warmupSeconds=" + config.warmupSeconds()
                + " --concurrency=" + String.join(",", config.concurrency()) + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "python", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double reload(Step step) throws Exception {
        long t = System.nanoTime();
        step.run();
        return (System.nanoTime() - t) / 1e6;
    }

    private static Process startRuntime(RuntimeCommand python, Path socket, Path root) throws java.io.IOException {
        ProcessBuilder b = new ProcessBuilder(python.argv(List.of("--workers=4"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().put("MESHWORK_RUNTIME_ENDPOINT", "unix://" + socket);
        b.environment().put("MESHWORK_STORAGE_ROOTS", root.resolve("examples").toString());
        return b.start();
    }

    private static void awaitReady(ModelRuntimeGrpc.ModelRuntimeBlockingStub spi) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (spi.withDeadlineAfter(1, TimeUnit.SECONDS).runtimeStatus(RuntimeStatusRequest.getDefaultInstance()).getStatus()
                        == RuntimeStatusResponse.Status.READY) {
                    return;
                }
            } catch (io.grpc.StatusRuntimeException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the directly started Python runtime did not answer runtimeStatus within 60 s");
    }

    private static void register(HttpClient http, String base, String name, String format, Path artifact) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/mesh/models/" + name))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\":{\"name\":\"" + format + "\"},\"storageUri\":\"" + artifact + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new IllegalStateException("registering " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static void unload(HttpClient http, String base, String name) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/repository/models/" + name + "/unload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("unloading " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** The class the model answered for the one row (output-0, INT64). */
    private static int predictedClass(ModelInferResponse r) {
        for (int i = 0; i < r.getOutputsCount(); i++) {
            if (r.getOutputs(i).getName().equals("output-0")) {
                return (int) ByteBuffer.wrap(r.getRawOutputContents(i).toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
        }
        throw new IllegalStateException("no output-0 in the answer");
    }
}
