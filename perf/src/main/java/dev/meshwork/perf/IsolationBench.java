package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench isolation --model=xgb-binary}: what the crash boundary costs. Standalone
 * meshes in one JVM serve the same tree model over gRPC, one with the runtime's slot in-process, one
 * with it isolated in a child process (the default for XGBoost and LightGBM), so each request
 * crosses one more hop (a Unix domain socket, the OIP codec both ways); a third mesh isolates it too
 * but sends inference over gRPC instead of the inference socket. The first request of each (the
 * cold start: for an isolated slot, the child JVM starting too) is timed once; then closed loops
 * back to back, each round starting with another path; medians over the rounds.
 */
final class IsolationBench {
    private final BenchConfig config;

    IsolationBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        String model = config.model();
        String runtime = model.startsWith("lgbm-") ? "lightgbm" : "xgboost";
        Path work = Files.createTempDirectory("meshwork-isolation-bench-");
        List<String> common = List.of("--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=", "--examples=" + root.resolve("examples"),
                "--requestThreads=" + config.requestThreads());
        ModelInferRequest request = BenchRequests.grpcRequest(model, BenchRequests.input(model));
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        StringBuilder cold = new StringBuilder();
        try (Standalone inProcess = Standalone.start(load(common, slots(work, "in-process", runtime), work.resolve("state-in")));
             Standalone isolated = Standalone.start(load(common, slots(work, "process", runtime), work.resolve("state-iso")));
             Standalone overGrpc = Standalone.start(load(withFlag(common, "--node.isolation.inferenceSocket=false"),
                     slots(work, "process", runtime), work.resolve("state-iso-grpc")))) {
            List<ManagedChannel> channels = new ArrayList<>();
            List<GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub> stubs = new ArrayList<>();
            for (Standalone s : List.of(inProcess, isolated, overGrpc)) {
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build();
                channels.add(ch);
                stubs.add(GRPCInferenceServiceGrpc.newFutureStub(ch));
                long started = System.nanoTime();
                if (stubs.getLast().modelInfer(request).get(120, TimeUnit.SECONDS).getRawOutputContentsCount() == 0) {
                    throw new IllegalStateException("the model answered no outputs");
                }
                cold.append(String.format(Locale.ROOT, "first request (load%s): %.0f ms%n", s != inProcess ? " + child JVM start" : "",
                        (System.nanoTime() - started) / 1e6));
            }
            ClosedLoop warm = new ClosedLoop(config.warmupSeconds(), 3);
            for (var stub : stubs) {
                warm.runAsync("warm", 4, () -> BenchRequests.toCompletable(stub.modelInfer(request)));
            }
            List<String> names = List.of(runtime + "-in-process", runtime + "-isolated", runtime + "-isolated-grpc");
            List<Map.Entry<String, java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>>>> paths = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                var stub = stubs.get(i);
                paths.add(Map.entry(names.get(i), () -> BenchRequests.toCompletable(stub.modelInfer(request))));
            }
            PairedRounds.rotate(config, loop, results, paths);
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            cold.append(childMemory());
        }
        String summary = PairedRounds.summary(results, "-in-process", "-isolated",
                "the " + runtime + " slot in a child process, over its inference socket, against in-process (gRPC, " + model + ")") + "\n"
                + PairedRounds.comparison(results, "-in-process", "-isolated-grpc",
                "the same over gRPC to the child (node.isolation.inferenceSocket=false), against in-process") + cold;
        Map<String, Object> settings = config.closedLoopSettings("isolation");
        settings.put("rounds", config.rounds());
        settings.put("command", settings.get("command") + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "isolation", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    /** The resident memory of this JVM's child processes (the isolated slot's runtime-server), from /proc. */
    private static String childMemory() {
        StringBuilder out = new StringBuilder();
        ProcessHandle.current().children().forEach(child -> {
            try {
                String status = Files.readString(Path.of("/proc", Long.toString(child.pid()), "status"));
                status.lines().filter(l -> l.startsWith("VmRSS:")).findFirst()
                        .ifPresent(l -> out.append("isolated slot's process (pid ").append(child.pid()).append(") ").append(l.replaceAll("\\s+", " ")).append('\n'));
            } catch (java.io.IOException e) {
                out.append("child ").append(child.pid()).append(": no /proc status\n");
            }
        });
        return out.toString();
    }

    private static List<String> withFlag(List<String> common, String flag) {
        List<String> out = new ArrayList<>(common);
        out.add(flag);
        return out;
    }

    private static Path slots(Path work, String isolation, String runtime) throws java.io.IOException {
        return Files.writeString(work.resolve(isolation + ".yaml"), "node:\n  slots:\n    - {adapter: " + runtime + ", isolation: " + isolation + "}\n");
    }

    private static RouterConfig load(List<String> common, Path yaml, Path state) {
        List<String> flags = new ArrayList<>(common);
        flags.add("--config=" + yaml);
        flags.add("--node.isolation.stateDir=" + state);
        return ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), flags).config();
    }
}
