package dev.meshwork.node.runtime.external;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.node.crash.CrashLedger;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.mmesh.LoadModelRequest;
import dev.meshwork.protocol.mmesh.LoadModelResponse;
import dev.meshwork.protocol.mmesh.ModelRuntimeGrpc;
import dev.meshwork.protocol.mmesh.ModelSizeRequest;
import dev.meshwork.protocol.mmesh.PredictModelSizeRequest;
import dev.meshwork.protocol.mmesh.RuntimeStatusRequest;
import dev.meshwork.protocol.mmesh.RuntimeStatusResponse;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.security.ClusterSecret;
import dev.meshwork.security.grpc.InternalChannels;
import dev.meshwork.security.tls.ClientTls;
import io.grpc.ManagedChannel;
import dev.meshwork.telemetry.TracingInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime in another process that speaks ModelMesh's runtime SPI ({@code mmesh.ModelRuntime})
 * for loads and the Open Inference Protocol for inference, as ModelMesh's own runtimes do
 * (MLServer, Triton adapters, {@code ./meshwork runtime-server}). The node resolves the artifact
 * to a local path and hands that path over, so both processes must see the same files.
 *
 * <p>A watcher thread asks {@code runtimeStatus} every {@link #WATCH_MS} ms: when the process stops
 * answering, the slot's copies are dropped at once (the listener given to {@link #onLost}); when
 * it answers READY again, loads go through again (a restarted runtime starts empty, as the SPI
 * requires). Thread-safe.
 */
public final class ExternalRuntimeAdapter implements RuntimeAdapter, AutoCloseable, ProcessRuntime {
    static final long WATCH_MS = 250;
    /** How long a failed call waits to see whether the process the node started is dying. */
    private static final long CRASH_WAIT_MS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(ExternalRuntimeAdapter.class);
    private final NodeConfig.External config;
    private final long callTimeoutMs;
    private final ManagedChannel channel;
    private final ModelRuntimeGrpc.ModelRuntimeBlockingStub runtime;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub inference;
    private final ScheduledExecutorService watcher;
    private volatile boolean ready;
    private volatile Runnable onLost = () -> { };
    /** The process the node started for this runtime, or null when it runs elsewhere. */
    private final RuntimeProcess process;
    /** Where crashes of the process the node started are recorded against the models they hit; null when it runs elsewhere. */
    private final CrashLedger ledger;
    /** Whether the process is an isolated slot's child (its errors are the slot's own), not a runtime of someone else's. */
    private final boolean ownChild;
    /** {@code model@pid} of inference crashes already counted: many failed requests of one model are one crash. */
    private final Set<String> countedCrashes = ConcurrentHashMap.newKeySet();
    /** Models the node is loading into the process now: a death while one loads is that load's, not a request's. */
    private final Set<String> loading = ConcurrentHashMap.newKeySet();
    /** The owner-only directory of the socket the node chose for the process it starts; null when the configuration named one. */
    private final Path socketDir;
    /** An isolated slot's inference socket, which its runtime-server opens beside the gRPC one; null for other runtimes. */
    private final InferenceSocket inferenceSocket;

    public ExternalRuntimeAdapter(NodeConfig.External config, long callTimeoutMs) {
        this(config, callTimeoutMs, null);
    }

    /** {@code ledger} records which models were loading or running when a process the node started died. */
    public ExternalRuntimeAdapter(NodeConfig.External config, long callTimeoutMs, CrashLedger ledger) {
        this(config, callTimeoutMs, ledger, false, false);
    }

    /**
     * {@code ownChild}: the process is an isolated slot's runtime-server, whose errors are passed on as its own;
     * {@code inferenceSocket}: inference goes over the inference socket it opens beside its gRPC one.
     */
    ExternalRuntimeAdapter(NodeConfig.External given, long callTimeoutMs, CrashLedger ledger, boolean ownChild, boolean useInferenceSocket) {
        this.socketDir = given.endpoint().isEmpty() ? privateDirectory(given.name()) : null;
        String endpoint = socketDir == null ? given.endpoint() : "unix://" + socketDir.resolve("rt.sock");
        NodeConfig.External config = given.command().isEmpty() ? given : given.with(endpoint, Map.of("MESHWORK_RUNTIME_ENDPOINT", endpoint));
        this.config = config;
        this.ownChild = ownChild;
        this.callTimeoutMs = callTimeoutMs;
        this.process = config.command().isEmpty() ? null : new RuntimeProcess(config.name(), config.command(), config.env());
        // without a process of its own there is nothing to attribute a crash to
        this.ledger = process == null ? null : ledger;
        String target = config.endpoint().startsWith("unix:") ? config.endpoint() : "dns:///" + config.endpoint();
        // the node's registry is not made yet; a reload failure of these files still says so in the log
        ClusterSecret secret = config.secretFile().isEmpty() ? null
                : new ClusterSecret(Path.of(config.secretFile()), config.tls().reloadMs(), Metrics.globalRegistry);
        var builder = new InternalChannels(ClientTls.credentials(config.tls(), Metrics.globalRegistry), secret).dial(target, null)
                .maxInboundMessageSize(64 << 20);
        builder.intercept(TracingInterceptors.client()); // the node's span is the external runtime's parent
        this.channel = (target.startsWith("unix:") ? UnixSockets.client(builder) : builder).build();
        this.runtime = ModelRuntimeGrpc.newBlockingStub(channel);
        this.inference = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        this.inferenceSocket = useInferenceSocket && ownChild && process != null && config.endpoint().startsWith("unix://")
                ? new InferenceSocket(InferenceFrames.socketBeside(Path.of(config.endpoint().substring("unix://".length())))) : null;
        this.watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("meshwork-watch-" + config.name()).factory());
        watcher.scheduleWithFixedDelay(this::watch, 0, WATCH_MS, TimeUnit.MILLISECONDS);
    }

    /** Called (on the watcher thread) when the runtime stops answering; the node drops the slot's copies. */
    @Override
    public void onLost(Runnable listener) {
        this.onLost = listener;
    }

    /**
     * The process is seen dead by a call: the slot's copies are dropped now, not at the watcher's next look,
     * so that no request goes to a copy in a dead process meanwhile (a busy machine can delay that look by
     * seconds). Once: the watcher then sees the runtime come back READY. The listener runs outside this
     * adapter's monitor, since it takes the slot cache's locks, which a load thread may hold while it calls here.
     */
    private void lost() {
        boolean was;
        synchronized (this) {
            was = ready;
            ready = false;
        }
        if (inferenceSocket != null) {
            inferenceSocket.forget();
        }
        if (was) {
            onLost.run();
        }
    }

    private void watch() {
        if (process != null && !process.started()) {
            return; // started at its first load: until then nothing answers, and asking 4 times a second costs the node for nothing
        }
        boolean nowReady;
        try {
            nowReady = runtime.withDeadlineAfter(1, TimeUnit.SECONDS).runtimeStatus(RuntimeStatusRequest.getDefaultInstance())
                    .getStatus() == RuntimeStatusResponse.Status.READY;
        } catch (StatusRuntimeException e) {
            nowReady = false;
            // The watcher already paces retries; without this the channel backs off for up to minutes after a restart.
            channel.resetConnectBackoff();
        }
        Process p = process == null ? null : process.process();
        if (p != null && !p.isAlive()) {
            nowReady = false; // a process that has died may still have answered while it wrote its crash report
        }
        if (ready && !nowReady) {
            LOG.warn("external runtime {} at {} stopped answering; its models are dropped", config.name(), config.endpoint());
            lost();
        } else if (!ready && nowReady) {
            LOG.info("external runtime {} at {} is READY", config.name(), config.endpoint());
            ready = true;
        }
    }

    /** Whether the node starts this runtime's process itself (so it runs on this machine). */
    public boolean startsProcess() {
        return process != null;
    }

    public boolean ready() {
        return ready;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Set<String> formats() {
        return Set.copyOf(config.formats());
    }

    @Override
    public String device() {
        return "external:" + config.endpoint();
    }

    @Override
    public long predictSize(Path artifact) {
        return 2 * bytes(artifact) + (1 << 20);
    }

    /** Asks the runtime (predictModelSize); a runtime without that RPC gets the local estimate. */
    @Override
    public long predictSize(ModelSpec spec, Path artifact) {
        awaitReady();
        try {
            long size = runtime.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS).predictModelSize(PredictModelSizeRequest.newBuilder()
                    .setModelId(spec.id()).setModelType(spec.format().name()).setModelPath(artifact.toString()).build()).getSizeInBytes();
            return size > 0 ? size : predictSize(artifact);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return predictSize(artifact);
            }
            throw error(e, "predictModelSize");
        }
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        throw new MeshError(ErrorCode.INTERNAL, "an external runtime needs the model's format: load(spec, artifact)");
    }

    @Override
    public LoadedModel load(ModelSpec spec, Path artifact) {
        awaitReady();
        LoadModelResponse loaded;
        Process target = process == null ? null : process.process();
        loading.add(spec.id());
        try {
            loaded = runtime.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS).loadModel(LoadModelRequest.newBuilder()
                    .setModelId(spec.id()).setModelType(spec.format().name()).setModelPath(artifact.toString()).build());
        } catch (StatusRuntimeException e) {
            String how = crashOf(target, e);
            if (how != null) {
                lost();
                String reason = ledger.loadCrashed(spec, how);
                LOG.warn("model {}: {}", spec.id(), reason);
                throw CrashLedger.crashed(reason);
            }
            throw error(e, "loadModel");
        } finally {
            loading.remove(spec.id());
        }
        try {
            long size = loaded.getSizeInBytes() > 0 ? loaded.getSizeInBytes()
                    : runtime.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS).modelSize(ModelSizeRequest.newBuilder().setModelId(spec.id()).build())
                    .getSizeInBytes();
            ModelMetadata meta = GrpcTensorCodec.metadata(inference.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS)
                    .modelMetadata(ModelMetadataRequest.newBuilder().setName(spec.id()).build())).withName(spec.id());
            return new ExternalModel(this, spec, meta, size > 0 ? size : predictSize(artifact));
        } catch (StatusRuntimeException e) {
            unload(spec.id());
            throw error(e, "sizing and describing the model");
        }
    }

    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub inference() {
        return inference.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * One inference in the runtime: over the isolated slot's inference socket when it has one (no
     * HTTP/2, no event loop, no thread hand-off), else over gRPC; failures as the gRPC call's.
     */
    dev.meshwork.protocol.oip.ModelInferResponse infer(dev.meshwork.protocol.oip.ModelInferRequest request, Process target) {
        return inferenceSocket != null && target != null ? inferenceSocket.infer(request, target.pid(), callTimeoutMs)
                : inference().modelInfer(request);
    }

    /** Whether the process is an isolated slot's own runtime-server (which checks requests as the node does). */
    boolean ownChild() {
        return ownChild;
    }

    /** The process a call is about to go to (null when the node did not start it), for {@link #inferenceFailed}. */
    Process target() {
        return process == null ? null : process.process();
    }

    /**
     * A request on {@code spec} failed: when the process the node started died under it, the crash
     * counts against the model (once per process) and the caller hears that, else the runtime's error.
     */
    MeshError inferenceFailed(ModelSpec spec, Process target, StatusRuntimeException e) {
        String how = crashOf(target, e);
        if (how == null) {
            return error(e, "ModelInfer");
        }
        lost();
        List<String> loads = loading.stream().filter(id -> !id.equals(spec.id())).sorted().toList();
        if (!loads.isEmpty()) { // the process died under a load of another model: that load is blamed (load()), not this request
            return new MeshError(ErrorCode.UNAVAILABLE, how + " while loading " + String.join(", ", loads) + "; request on model '"
                    + spec.id() + "' lost with it: the slot's models load again in a new process, retry");
        }
        if (countedCrashes.add(spec.id() + "@" + target.pid())) {
            ledger.inferenceCrashed(spec, how).ifPresent(reason -> LOG.warn("model {}: {}", spec.id(), reason));
        }
        return new MeshError(ErrorCode.UNAVAILABLE, how + " while running this request on model '" + spec.id()
                + "'; the slot's models load again in a new process, retry");
    }

    void unload(String modelId) {
        try {
            runtime.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS)
                    .unloadModel(dev.meshwork.protocol.mmesh.UnloadModelRequest.newBuilder().setModelId(modelId).build());
        } catch (StatusRuntimeException e) {
            // a runtime that is gone has nothing loaded; another error leaves nothing we can do here
            LOG.debug("unloadModel {} on {}: {}", modelId, config.name(), e.getStatus());
        }
    }

    private void awaitReady() {
        if (process != null) {
            process.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.startupTimeoutMs());
        while (!ready) { // a process that cannot run here is never ready: its reason ends the wait at once
            String cannot = process == null ? null : process.unavailable();
            if (cannot != null) {
                throw new MeshError(ErrorCode.UNAVAILABLE, "external runtime " + config.name() + " is not running: " + cannot);
            }
            if (System.nanoTime() > deadline) {
                throw new MeshError(ErrorCode.UNAVAILABLE, "external runtime " + config.name() + " at " + config.endpoint()
                        + " is not READY (no runtimeStatus READY within " + config.startupTimeoutMs() + " ms); is it running?");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for external runtime " + config.name());
            }
        }
    }

    /**
     * How the process a call went to died, when the call's failure could be its death: a broken
     * connection is UNAVAILABLE, or UNKNOWN "channel closed" when Netty sees the socket close first.
     */
    private String crashOf(Process target, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        boolean broken = code == Status.Code.UNAVAILABLE
                || code == Status.Code.UNKNOWN && (e.getStatus().getCause() instanceof java.nio.channels.ClosedChannelException
                        || "channel closed".equals(e.getStatus().getDescription()));
        return ledger == null || !broken ? null : process.diedHow(target, CRASH_WAIT_MS);
    }

    /** A gRPC failure of the runtime as a MeshError with the same kind and the runtime's words. */
    MeshError error(StatusRuntimeException e, String call) {
        String description = e.getStatus().getDescription();
        if (ownChild && description != null && e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            // the node's own child speaks for the slot: its words as they are, without its cache's "failed to load" wrapping
            return new MeshError(ErrorCode.fromGrpcCode(e.getStatus().getCode().value()), description.replaceFirst("^model '[^']*' failed to load: ", ""), e);
        }
        return new MeshError(ErrorCode.fromGrpcCode(e.getStatus().getCode().value()), "external runtime " + config.name() + " ("
                + call + "): " + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()), e);
    }

    /** A new directory only this user may open (a temporary directory's permissions), short enough for a socket path. */
    private static Path privateDirectory(String name) {
        try {
            return Files.createTempDirectory("mw-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the socket directory of external runtime " + name, e);
        }
    }

    private static long bytes(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        channel.shutdownNow();
        if (inferenceSocket != null) {
            inferenceSocket.close();
        }
        if (process != null) {
            process.close();
        }
        if (socketDir != null) {
            try (Stream<Path> files = Files.list(socketDir)) {
                files.forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                LOG.debug("cannot empty {}: {}", socketDir, e.toString());
            }
            socketDir.toFile().delete();
        }
    }
}
