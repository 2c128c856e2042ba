package dev.meshwork.perf;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench batching}: many concurrent one-row gRPC requests to MLPs where a batch
 * amortises, 256-1024-1024-10 and the wider 1024-4096-4096-10, each in ONNX (written by {@link
 * OnnxMlpWriter}) and in TorchScript ({@code perf/models/generate.py}), each registered twice on one
 * standalone mesh: without batching and with it ({@code maxBatchSize} 64, {@code maxLatency} 2 ms and
 * 30 ms). At each concurrency the two run side by side, in rounds that alternate which goes first;
 * the table has the medians over rounds. Closed loop; one JVM (mesh and load generator share the cores).
 */
final class BatchingBench {
    static final int[] WIDTHS = {256, 1024, 1024, 10};
    /** A model whose inference dominates a request's cost on CPU: 80 MB of weights, read once per call whatever the rows. */
    static final int[] WIDE = {1024, 4096, 4096, 10};
    static final Batching SETTINGS = new Batching(64, 2_000);
    /**
     * A full batch of the wide model takes about 28 ms alone: with a maxLatency far below that, every
     * request queued behind a running batch leads one of its own after maxLatency, and on two cores
     * the batches then share them with the front door (p99 48 ms against a bound of 39 ms at 5 ms,
     * perf/README.md); about one batch's time lets the next batch form while one runs.
     */
    static final Batching WIDE_SETTINGS = new Batching(64, 30_000);
    private final BenchConfig config;
    /** Mean rows per batch of each batched phase, by runtime and users ("onnx/64"). */
    private final Map<String, List<Double>> rowsPerBatch = new java.util.TreeMap<>();
    /** The p99 of the time a batch took to run in the runtime, in µs, by runtime and users. */
    private final Map<String, List<Double>> batchRunMicros = new java.util.TreeMap<>();

    BatchingBench(BenchConfig config) {
        this.config = config;
    }

    /** One runtime's model, registered twice: without batching and with it. */
    private record Twin(String runtime, String format, String uri, String input, int[] widths, Batching settings) {
        String plain() {
            return runtime + "-plain";
        }

        String batched() {
            return runtime + "-batched";
        }
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path model = OnnxMlpWriter.write(root.resolve("perf/target/batching/" + fileName(WIDTHS)), WIDTHS, 7);
        Path wide = OnnxMlpWriter.write(root.resolve("perf/target/batching/" + fileName(WIDE)), WIDE, 7);
        Path torch = root.resolve("perf/models/torch-mlp-large");
        Path torchWide = root.resolve("perf/models/torch-mlp-wide");
        List<Twin> twins = List.of(new Twin("onnx", "onnx", model.toUri().toString(), "input", WIDTHS, SETTINGS),
                new Twin("torch", "pytorch", torch.toUri().toString(), "input__0", WIDTHS, SETTINGS),
                new Twin("onnx-wide", "onnx", wide.toUri().toString(), "input", WIDE, WIDE_SETTINGS),
                new Twin("torch-wide", "pytorch", torchWide.toUri().toString(), "input__0", WIDE, WIDE_SETTINGS));
        RouterConfig d = RouterConfig.defaults();
        RouterConfig rc = new RouterConfig(new RouterConfig.Http("127.0.0.1", 0, d.http().maxRequestBytes()),
                new RouterConfig.Grpc("127.0.0.1", 0, d.grpc().maxMessageBytes()), config.requestThreads(), List.of(),
                NodeConfig.defaults().withStorage(NodeConfig.defaults().storage().withRoots(List.of(model.getParent().toString(), torch.getParent().toString()))),
                new RouterConfig.Registry("", "", ""), d.runtimes(), d.models(), d.cluster(), d.forward(), d.scaling(), d.tls(), d.auth(),
                d.security(), d.tenants(), d.payloadLog(), d.tracing(), d.autoscale());
        List<ClosedLoop.Result> results = new ArrayList<>();
        rowsPerBatch.clear();
        batchRunMicros.clear();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        try (Standalone mesh = Standalone.start(rc)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", mesh.grpcPort()).usePlaintext().build();
            var stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
            for (Twin t : twins) {
                mesh.service().register(new ModelSpec(t.plain(), new ModelFormat(t.format(), ""), t.uri(), "", 0));
                mesh.service().register(new ModelSpec(t.batched(), new ModelFormat(t.format(), ""), t.uri(), "", 0).withBatching(t.settings()));
                checkAnswer(stub.modelInfer(request(t.plain(), t)).get(60, TimeUnit.SECONDS), t);
                checkAnswer(stub.modelInfer(request(t.batched(), t)).get(60, TimeUnit.SECONDS), t);
            }
            for (Twin t : twins) {
                ModelInferRequest plainRequest = request(t.plain(), t);
                ModelInferRequest batchedRequest = request(t.batched(), t);
                for (String c : config.concurrency()) {
                    int n = Integer.parseInt(c.trim());
                    for (int round = 0; round < config.rounds(); round++) {
                        boolean batchedFirst = round % 2 == 1;
                        for (int k = 0; k < 2; k++) {
                            boolean batched = batchedFirst == (k == 0);
                            ModelInferRequest r = batched ? batchedRequest : plainRequest;
                            System.err.printf(Locale.ROOT, "%s, concurrency %d, round %d: batching %s...%n", t.runtime(), n, round + 1,
                                    batched ? "on" : "off");
                            BatchMeter before = BatchMeter.of(mesh, t.batched());
                            results.add(loop.runAsync(batched ? t.batched() : t.plain(), n,
                                    () -> BenchRequests.toCompletable(stub.withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(r))));
                            BatchMeter after = BatchMeter.of(mesh, t.batched());
                            if (batched) {
                                rowsPerBatch.computeIfAbsent(t.runtime() + "/" + n, users -> new ArrayList<>()).add(after.rowsPerBatchSince(before));
                                batchRunMicros.computeIfAbsent(t.runtime() + "/" + n, users -> new ArrayList<>()).add(after.runP99MicrosSince(before));
                            }
                        }
                    }
                }
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        StringBuilder summary = new StringBuilder("# batching\n\n");
        for (Twin t : twins) {
            summary.append(summary(results, t)).append('\n');
        }
        for (Twin t : twins) {
            if (t.format().equals("onnx")) {
                double[] runtime = runtimeOnly(Path.of(java.net.URI.create(t.uri())), t.widths(), t.settings().maxBatchSize());
                summary.append(String.format(Locale.ROOT, "ONNX Runtime alone, one thread, in this JVM, MLP %s: one row %.1f µs per call;"
                                + " a batch of %d rows %.1f µs per call, %.1f µs per row (%.1fx less per row).%n%n",
                        java.util.Arrays.toString(t.widths()), runtime[0], t.settings().maxBatchSize(), runtime[1],
                        runtime[1] / t.settings().maxBatchSize(), runtime[0] / (runtime[1] / t.settings().maxBatchSize())));
            }
        }
        Map<String, Object> settings = new java.util.LinkedHashMap<>(config.closedLoopSettings("batching"));
        settings.put("model", "MLPs " + java.util.Arrays.toString(WIDTHS) + " and " + java.util.Arrays.toString(WIDE)
                + ", each in ONNX Runtime (one intra-op thread) and TorchScript on PyTorch (DJL)");
        settings.put("batching", SETTINGS);
        settings.put("batchingWide", WIDE_SETTINGS);
        settings.put("command", "./meshwork bench batching --seconds=" + config.seconds() + " --warmupSeconds=" + config.warmupSeconds()
                + " --concurrency=" + String.join(",", config.concurrency()) + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "batching", settings, results, summary.toString());
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    /** A TorchScript model's first answer must be its generator's (its weights are made on that call); ONNX answers must have 10 values. */
    private static void checkAnswer(dev.meshwork.protocol.oip.ModelInferResponse r, Twin t) throws Exception {
        var got = dev.meshwork.protocol.tensor.GrpcTensorCodec.decode(r).outputs().get(0);
        java.nio.ByteBuffer b = got.buffer();
        float[] values = new float[(int) got.elementCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = b.getFloat();
        }
        int outputs = t.widths()[t.widths().length - 1];
        if (values.length != outputs) {
            throw new IllegalStateException(t.runtime() + " answered " + values.length + " values, not " + outputs);
        }
        if (t.format().equals("pytorch")) {
            var want = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(java.net.URI.create(t.uri())).resolve("expected.json").toFile())
                    .at("/cases/0/outputs/0/data");
            for (int i = 0; i < values.length; i++) {
                if (Math.abs(values[i] - want.get(i).floatValue()) > 1e-3 * Math.max(1, Math.abs(want.get(i).floatValue()))) {
                    throw new IllegalStateException("the TorchScript MLP " + t.uri() + " answered " + values[i] + " at " + i + ", its generator " + want.get(i));
                }
            }
        }
    }

    /**
     * What batching saves inside the runtime: the median time of a one-row call and of a
     * {@code maxBatchSize}-row call to ONNX Runtime directly (the node's session settings: one
     * intra-op thread), 2 s each after a warm-up.
     */
    private static double[] runtimeOnly(Path model, int[] widths, int batchRows) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            try (ai.onnxruntime.OrtSession session = env.createSession(model.toString(), o)) {
                return new double[]{medianCallMicros(env, session, widths[0], 1), medianCallMicros(env, session, widths[0], batchRows)};
            }
        }
    }

    private static double medianCallMicros(ai.onnxruntime.OrtEnvironment env, ai.onnxruntime.OrtSession session, int features, int rows)
            throws Exception {
        float[] x = new float[rows * features];
        java.util.Arrays.fill(x, 0.25f);
        List<Double> times = new ArrayList<>();
        long warm = System.nanoTime() + 1_000_000_000L;
        long end = warm + 2_000_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try (ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x), new long[]{rows, features});
                 ai.onnxruntime.OrtSession.Result r = session.run(Map.of("input", t))) {
                if (r.size() != 1) {
                    throw new IllegalStateException("no output");
                }
            }
            if (t0 >= warm) {
                times.add((System.nanoTime() - t0) / 1e3);
            }
        }
        return Median.of(times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The batched model's rows, batches and batch run times so far, from the mesh's own meters. */
    private record BatchMeter(double rows, long batches, double[] boundsMs, long[] runsAtOrUnder) {
        static BatchMeter of(Standalone mesh, String model) {
            var summary = mesh.metrics().find("meshwork_batch_size").tag("model", model).summary();
            var run = mesh.metrics().find("meshwork_batch_run").tag("model", model).timer();
            if (summary == null || run == null) {
                return new BatchMeter(0, 0, new double[0], new long[0]);
            }
            var buckets = run.takeSnapshot().histogramCounts();
            double[] bounds = new double[buckets.length];
            long[] counts = new long[buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
                counts[i] = (long) buckets[i].count();
            }
            return new BatchMeter(summary.totalAmount(), summary.count(), bounds, counts);
        }

        double rowsPerBatchSince(BatchMeter before) {
            return (rows - before.rows) / Math.max(1, batches - before.batches);
        }

        /** The p99 of the batch runs since {@code before}, in µs, interpolated in the timer's histogram buckets. */
        double runP99MicrosSince(BatchMeter before) {
            long[] delta = new long[runsAtOrUnder.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = runsAtOrUnder[i] - (i < before.runsAtOrUnder.length ? before.runsAtOrUnder[i] : 0);
            }
            return 1000 * dev.meshwork.router.mesh.RequestHistory.quantile(0.99, batches - before.batches, boundsMs, delta);
        }
    }

    /** One row of the model's features over gRPC, typed contents. */
    private static ModelInferRequest request(String model, Twin t) {
        int features = t.widths()[0];
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (int i = 0; i < features; i++) {
            contents.addFp32Contents((i % 17) / 17f);
        }
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                .setName(t.input()).setDatatype("FP32").addShape(1).addShape(features).setContents(contents)).build();
    }

    private String summary(List<ClosedLoop.Result> results, Twin t) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: one-row gRPC requests to an MLP %s, without batching and with it (maxBatchSize %d,"
                        + " maxLatency %.1f ms), side by side, %d round(s) alternating which goes first; medians over rounds.%n%n",
                t.format().equals("onnx") ? "ONNX Runtime" : "TorchScript (PyTorch through DJL)", java.util.Arrays.toString(t.widths()),
                t.settings().maxBatchSize(), t.settings().maxLatencyMicros() / 1000.0, config.rounds()));
        b.append("| users | req/s off | req/s on | on / off | p50 µs off | p50 µs on | p99 µs off | p99 µs on | rows per batch | batch run p99 µs"
                + " | maxLatency + batch run p99 µs |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String c : config.concurrency()) {
            int n = Integer.parseInt(c.trim());
            double[] off = medians(results, t.plain(), n);
            double[] on = medians(results, t.batched(), n);
            double run = Median.of(batchRunMicros.getOrDefault(t.runtime() + "/" + n, List.of()).stream().mapToDouble(Double::doubleValue).toArray());
            b.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f | %,.0f | %,.0f | %,.0f | %,.0f | %.1f | %,.0f | %,.0f |%n", n, off[0],
                    on[0], on[0] / off[0], off[1], on[1], off[2], on[2],
                    Median.of(rowsPerBatch.getOrDefault(t.runtime() + "/" + n, List.of()).stream().mapToDouble(Double::doubleValue).toArray()),
                    run, t.settings().maxLatencyMicros() + run));
        }
        return b.toString();
    }

    private static double[] medians(List<ClosedLoop.Result> results, String name, int users) {
        List<ClosedLoop.Result> r = results.stream().filter(x -> x.name().equals(name) && x.concurrency() == users).toList();
        return new double[]{Median.of(r.stream().mapToDouble(ClosedLoop.Result::throughput).toArray()),
                Median.of(r.stream().mapToDouble(ClosedLoop.Result::p50us).toArray()), Median.of(r.stream().mapToDouble(ClosedLoop.Result::p99us).toArray())};
    }

    private static String fileName(int[] widths) {
        return "mlp-" + java.util.Arrays.stream(widths).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining("-")) + ".onnx";
    }

}
