package dev.meshwork.node;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.runtime.RuntimeSettings;
import dev.meshwork.security.tls.TlsConfig;
import java.util.List;
import java.util.Map;

/**
 * The node agent's one configuration object (YAML section {@code node}, environment
 * {@code MESHWORK_NODE_*} in standalone mode). Every default works on a laptop.
 *
 * @param nodeId              the node's name in status and the placement table
 * @param slotMemoryBytes     the memory budget of a runtime slot that does not set its own: a load evicts
 *                            copies that nothing pins until it fits; the budget is never exceeded
 * @param loadThreads         platform threads that run model loads (file I/O and native code)
 * @param loadTimeoutMs       how long a request waits for a model load before it fails
 * @param failedLoadBackoffMs how long a failed load is remembered before the next request retries it
 * @param maxConcurrencyPerModel requests that may run on one model at once (0: no limit); more wait their turn,
 *                            first come first served, and keep the model pinned meanwhile
 * @param queueTimeoutMs      how long a request waits for its turn, or a load for room in a slot whose copies
 *                            are all in use, before it fails with 503 / UNAVAILABLE (507 for room)
 * @param storage             where artifacts may come from and how large they may be
 * @param onnx                ONNX Runtime session settings
 * @param externalRuntimes    runtime processes that speak ModelMesh's runtime SPI, each a slot of its own
 * @param slots               the in-process runtime slots; empty means one CPU slot per in-process runtime on the class path
 * @param evictionPolicy      which copy a full slot evicts first: {@code lfu} (the lowest decaying
 *                            {@code frequency x load ms / MiB}, the frequency halving every 4 turnovers of the slot,
 *                            or every N with {@code lfu:N}, the count surviving eviction), {@code lru} (least recently
 *                            used, as ModelMesh), {@code gdsf} (GreedyDual-Size-Frequency: the lowest
 *                            {@code L + frequency x load ms / MiB}; {@code gdsf:N} likewise), or {@code none} (never: a
 *                            load that does not fit is refused; the runtime-server's own)
 * @param isolation           how the node keeps a crashing runtime from taking it down (child processes, the crash ledger)
 * @param overload            how the node refuses requests it cannot run without making the admitted ones slow
 * @param inlineMicros        a request for a loaded in-process copy whose recent runs took no longer than this runs on the
 *                            thread that received it (the HTTP event loop or gRPC transport thread of an in-process node), without
 *                            the hand-off to a request thread and back; 0: every request is handed off
 */
public record NodeConfig(String nodeId, long slotMemoryBytes, int loadThreads, long loadTimeoutMs,
                         long failedLoadBackoffMs, int maxConcurrencyPerModel, long queueTimeoutMs, Storage storage, Onnx onnx,
                         List<External> externalRuntimes, List<SlotConfig> slots, String evictionPolicy, Isolation isolation,
                         Overload overload, long inlineMicros) {
    /** The default of {@code inlineMicros}: a run that short costs the other connections of its thread less than a large body's parse. */
    public static final long DEFAULT_INLINE_MICROS = 100;

    public NodeConfig(String nodeId, long slotMemoryBytes, int loadThreads, long loadTimeoutMs,
                      long failedLoadBackoffMs, int maxConcurrencyPerModel, long queueTimeoutMs, Storage storage, Onnx onnx,
                      List<External> externalRuntimes, List<SlotConfig> slots, String evictionPolicy, Isolation isolation,
                      Overload overload) {
        this(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel, queueTimeoutMs, storage, onnx,
                externalRuntimes, slots, evictionPolicy, isolation, overload, DEFAULT_INLINE_MICROS);
    }

    public NodeConfig(String nodeId, long slotMemoryBytes, int loadThreads, long loadTimeoutMs,
                      long failedLoadBackoffMs, int maxConcurrencyPerModel, long queueTimeoutMs, Storage storage, Onnx onnx,
                      List<External> externalRuntimes, List<SlotConfig> slots, String evictionPolicy, Isolation isolation) {
        this(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel, queueTimeoutMs, storage, onnx,
                externalRuntimes, slots, evictionPolicy, isolation, Overload.defaults());
    }

    public NodeConfig(String nodeId, long slotMemoryBytes, int loadThreads, long loadTimeoutMs,
                      long failedLoadBackoffMs, int maxConcurrencyPerModel, long queueTimeoutMs, Storage storage, Onnx onnx,
                      List<External> externalRuntimes, List<SlotConfig> slots, String evictionPolicy) {
        this(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel, queueTimeoutMs, storage, onnx,
                externalRuntimes, slots, evictionPolicy, Isolation.defaults());
    }

    public NodeConfig {
        ConfigCheck.notBlank("node.nodeId", nodeId);
        ConfigCheck.atLeast("node.slotMemoryBytes", slotMemoryBytes, 1);
        ConfigCheck.atLeast("node.loadThreads", loadThreads, 1);
        ConfigCheck.atLeast("node.loadTimeoutMs", loadTimeoutMs, 1);
        ConfigCheck.atLeast("node.failedLoadBackoffMs", failedLoadBackoffMs, 0);
        ConfigCheck.atLeast("node.maxConcurrencyPerModel", maxConcurrencyPerModel, 0);
        ConfigCheck.atLeast("node.queueTimeoutMs", queueTimeoutMs, 0);
        externalRuntimes = externalRuntimes == null ? List.of() : List.copyOf(externalRuntimes);
        slots = slots == null ? List.of() : List.copyOf(slots);
        evictionPolicy = evictionPolicy == null || evictionPolicy.isEmpty() ? EvictionPolicies.DEFAULT : evictionPolicy;
        EvictionPolicies.create(evictionPolicy); // a name that is none, or a parameter a policy refuses, stops the start here
        isolation = isolation == null ? Isolation.defaults() : isolation;
        overload = overload == null ? Overload.defaults() : overload;
        ConfigCheck.atLeast("node.inlineMicros", inlineMicros, 0);
    }

    /**
     * Overload protection (YAML {@code node.overload}): a limit of requests at once, past which the
     * rest are refused at once with 503 / UNAVAILABLE and Retry-After rather than left to queue and
     * slow every admitted one down. Every router applies it to the inference requests it receives,
     * counted from their arrival on the transport thread (unless {@code tenants.maxInFlight} fixes a
     * limit), and every cluster node to the requests it runs; a standalone mesh's embedded node
     * leaves it to the front door. The limit adapts to the knee of throughput against concurrency:
     * it grows while a step up answers {@code minGain} more per second and falls while a step down
     * loses less than that. Loads are not counted (a request counts once its model is loaded).
     *
     * @param enabled      whether routers and nodes limit the requests they run at once (see the {@code overload} benchmark)
     * @param minGain      the share of answers per second a step up of the limit must add to be kept; a step down is
     *                     kept while it answers 1 - 2 minGain of the best recent rate
     * @param minLimit     the limit's floor; 0: twice the machine's cores
     * @param maxLimit     the limit's ceiling
     * @param initialLimit where the limit starts; 0: eight times the cores (within floor and ceiling)
     * @param windowMs     how long each measurement of the answers per second lasts at least
     * @param retryAfterMs what a refused request's Retry-After says (HTTP rounds up to whole seconds)
     */
    public record Overload(boolean enabled, double minGain, int minLimit, int maxLimit, int initialLimit, long windowMs,
                           long retryAfterMs) {
        public Overload {
            ConfigCheck.require(minGain > 0 && minGain < 1, "node.overload.minGain must be between 0 and 1, got %s", minGain);
            ConfigCheck.atLeast("node.overload.minLimit", minLimit, 0);
            ConfigCheck.atLeast("node.overload.maxLimit", maxLimit, 1);
            ConfigCheck.atLeast("node.overload.initialLimit", initialLimit, 0);
            ConfigCheck.atLeast("node.overload.windowMs", windowMs, 1);
            ConfigCheck.atLeast("node.overload.retryAfterMs", retryAfterMs, 1);
        }

        public static Overload defaults() {
            return new Overload(false, 0.05, 0, 1000, 0, 500, 100);
        }

        /** The same settings, switched off. */
        public Overload off() {
            return new Overload(false, minGain, minLimit, maxLimit, initialLimit, windowMs, retryAfterMs);
        }

        /** The limiter's settings on a machine with {@code cores} cores. */
        public dev.meshwork.placement.overload.ConcurrencyLimit.Settings settings(int cores) {
            int min = Math.min(maxLimit, minLimit > 0 ? minLimit : 2 * cores);
            int initial = Math.max(min, Math.min(maxLimit, initialLimit > 0 ? initialLimit : 8 * cores));
            return new dev.meshwork.placement.overload.ConcurrencyLimit.Settings(minGain, min, maxLimit, initial, windowMs * 1_000_000);
        }
    }

    /**
     * Crash isolation (YAML {@code node.isolation}): native parsers trust their input and abort or
     * crash the process on bad bytes, so the runtimes that have no checks of their own run in a
     * child process per slot, and a durable ledger keeps one bad model from crashing anything twice.
     *
     * @param stateDir            where the node keeps its crash ledger (marks of loads in flight, poisoned models);
     *                            empty: {@code $TMPDIR/meshwork-node-state/<nodeId>}
     * @param maxInferenceCrashes a model that was running when its runtime process died this many times is not
     *                            loaded again until it is unloaded or registered again
     * @param jvmOptions          options of the JVMs that run isolated slots
     * @param startupTimeoutMs    how long a load waits for an isolated slot's process to start
     * @param checkModelFiles     whether runtimes check the structure of model files (tree indices, counts, sizes)
     *                            before a native parser reads them; turn off only to measure the check or test the crash boundary
     * @param inferenceSocket     whether inference goes to an isolated slot's process over its inference socket (length-prefixed
     *                            OIP messages on a request's own thread) rather than over gRPC; off only to measure the difference
     */
    public record Isolation(String stateDir, int maxInferenceCrashes, List<String> jvmOptions, long startupTimeoutMs, boolean checkModelFiles,
                            boolean inferenceSocket) {
        public Isolation {
            stateDir = stateDir == null ? "" : stateDir;
            ConfigCheck.atLeast("node.isolation.maxInferenceCrashes", maxInferenceCrashes, 1);
            ConfigCheck.atLeast("node.isolation.startupTimeoutMs", startupTimeoutMs, 1);
            jvmOptions = jvmOptions == null ? List.of() : List.copyOf(jvmOptions);
        }

        public static Isolation defaults() {
            return new Isolation("", 2, List.of("-Xmx512m", "-XX:+UseSerialGC"), 60_000, true, true);
        }

        /** The ledger's directory for node {@code nodeId}. */
        public java.nio.file.Path stateDir(String nodeId) {
            return stateDir.isEmpty() ? java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "meshwork-node-state", nodeId)
                    : java.nio.file.Path.of(stateDir);
        }
    }

    /**
     * One kind of in-process slot (YAML list {@code node.slots}).
     *
     * @param adapter     the in-process runtime: onnx, xgboost, lightgbm, tensorflow or pytorch (or another plug-in on the class path)
     * @param runtime     the name registrations use in their {@code runtime} field; defaults to the adapter's
     * @param device      {@code cpu} (the default) or {@code cuda:N}
     * @param memoryBytes each slot's budget; 0 takes {@code node.slotMemoryBytes}
     * @param count       how many such slots (default 1); a model stays in the slot it was first loaded into
     * @param autoSelect  whether models that name no runtime may land here (default true); false keeps
     *                    the slot for models that name it
     * @param isolation   {@code process}: the runtime runs in a child process of the node (a crash there costs
     *                    that slot's copies, not the node); {@code in-process}; empty: the runtime's default
     *                    ({@code process} for XGBoost and LightGBM, whose native parsers do not check their input)
     */
    public record SlotConfig(String adapter, String runtime, String device, long memoryBytes, int count, Boolean autoSelect, String isolation) {
        public static final String PROCESS = "process";
        public static final String IN_PROCESS = "in-process";

        public SlotConfig(String adapter, String runtime, String device, long memoryBytes, int count, Boolean autoSelect) {
            this(adapter, runtime, device, memoryBytes, count, autoSelect, "");
        }

        public SlotConfig {
            isolation = isolation == null ? "" : isolation;
            if (!isolation.isEmpty()) {
                ConfigCheck.oneOf("node.slots[].isolation", isolation, List.of(PROCESS, IN_PROCESS));
            }
            ConfigCheck.notBlank("node.slots[].adapter", adapter);
            ConfigCheck.atLeast("node.slots[].memoryBytes", memoryBytes, 0);
            runtime = runtime == null || runtime.isEmpty() ? adapter : runtime;
            device = device == null || device.isEmpty() ? "cpu" : device;
            count = count <= 0 ? 1 : count;
            autoSelect = autoSelect == null || autoSelect;
        }
    }

    /**
     * The options a runtime provider gets for its slots: ONNX Runtime's thread counts ({@code node.onnx}),
     * and for every runtime whether to check model files ({@code node.isolation.checkModelFiles}).
     */
    public Map<String, String> runtimeOptions(String runtime) {
        String check = Boolean.toString(isolation.checkModelFiles());
        return runtime.equals("onnx")
                ? Map.of("intraOpThreads", Integer.toString(onnx.intraOpThreads()), "interOpThreads", Integer.toString(onnx.interOpThreads()),
                        RuntimeSettings.CHECK_MODEL_FILES, check)
                : Map.of(RuntimeSettings.CHECK_MODEL_FILES, check);
    }

    /**
     * An external runtime process (ModelMesh's {@code mmesh.ModelRuntime} plus OIP inference).
     *
     * @param name             the runtime's name, which registrations use in their {@code runtime} field
     * @param formats          the model formats it serves (sent as ModelMesh's modelType)
     * @param endpoint         {@code host:port}, or {@code unix:///path/to/socket}; empty with a {@code command}: the node
     *                         picks a Unix socket in a directory only its user may open and tells the process through
     *                         {@code MESHWORK_RUNTIME_ENDPOINT}
     * @param capacityBytes    the slot's budget; 0 takes the runtime's own capacityInBytes
     * @param startupTimeoutMs how long to wait for runtimeStatus READY before a load fails
     * @param command          when not empty, the node starts this process itself (argv) and starts it
     *                         again whenever it exits; it must listen on {@code endpoint}
     * @param env              environment variables for {@code command}
     * @param tls              how the node dials it over TLS ({@code serverCaFile} to trust it, {@code certFile}/{@code keyFile}
     *                         to present the node); off by default
     * @param secretFile       a secret the node's calls carry when it runs Meshwork's runtime-server with {@code secretFile}
     */
    public record External(String name, List<String> formats, String endpoint, long capacityBytes, long startupTimeoutMs,
                           List<String> command, Map<String, String> env, TlsConfig tls, String secretFile) {
        public External(String name, List<String> formats, String endpoint, long capacityBytes, long startupTimeoutMs,
                        List<String> command, Map<String, String> env) {
            this(name, formats, endpoint, capacityBytes, startupTimeoutMs, command, env, TlsConfig.defaults(), "");
        }

        public External {
            tls = tls == null ? TlsConfig.defaults() : tls;
            secretFile = secretFile == null ? "" : secretFile;
            ConfigCheck.notBlank("node.externalRuntimes[].name", name);
            endpoint = endpoint == null ? "" : endpoint.trim();
            ConfigCheck.require(!endpoint.isEmpty() || (command != null && !command.isEmpty()),
                    "node.externalRuntimes[].endpoint of '%s' is empty; only a runtime the node starts (a command) may leave it to the node", name);
            ConfigCheck.require(formats != null && !formats.isEmpty(), "node.externalRuntimes[].formats of '%s' must name at least one format", name);
            ConfigCheck.atLeast("node.externalRuntimes[].capacityBytes", capacityBytes, 0);
            ConfigCheck.atLeast("node.externalRuntimes[].startupTimeoutMs", startupTimeoutMs, 1);
            formats = List.copyOf(formats);
            command = command == null ? List.of() : List.copyOf(command);
            env = env == null ? Map.of() : Map.copyOf(env);
        }

        /** This runtime listening on {@code endpoint}, its process also given {@code moreEnv}. */
        public External with(String endpoint, Map<String, String> moreEnv) {
            Map<String, String> all = new java.util.HashMap<>(env);
            all.putAll(moreEnv);
            return new External(name, formats, endpoint, capacityBytes, startupTimeoutMs, command, all, tls, secretFile);
        }
    }

    /**
     * @param roots            directories that {@code file://} and plain-path storageUris must lie under (checked
     *                         on the path as given and again with symbolic links resolved); none by default, so a
     *                         registration reads no local file but those of the example folders ({@code examples})
     *                         and the directories named here
     * @param maxArtifactBytes the largest artifact (file, or directory in total) a load accepts
     * @param cacheDir         where downloaded artifacts are kept; empty means {@code $TMPDIR/meshwork-artifacts}
     * @param cacheMaxBytes    the disk cache's bound (it may pass it by one artifact while that downloads)
     * @param httpTimeoutMs    connect and response timeout of http(s) and s3 downloads
     * @param s3               where s3:// artifacts come from
     * @param allowedHosts     the hosts http(s) storageUris may name; empty means any. Redirects are never followed,
     *                         so an allowed host cannot send a node elsewhere
     * @param downloads        how many downloads run at once and how long one may take
     * @param keysDir          KServe's {@code storage-config} Secret as a directory (as Kubernetes mounts it: one file
     *                         per storage key, holding its JSON): {@code storage://<key>/<path>} artifacts come from the
     *                         S3 storage the key describes; empty: no storage keys
     */
    public record Storage(List<String> roots, long maxArtifactBytes, String cacheDir, long cacheMaxBytes, long httpTimeoutMs, S3 s3,
                          List<String> allowedHosts, DownloadLimits downloads, String keysDir) {
        public Storage(List<String> roots, long maxArtifactBytes, String cacheDir, long cacheMaxBytes, long httpTimeoutMs, S3 s3) {
            this(roots, maxArtifactBytes, cacheDir, cacheMaxBytes, httpTimeoutMs, s3, List.of(), DownloadLimits.defaults());
        }

        public Storage(List<String> roots, long maxArtifactBytes, String cacheDir, long cacheMaxBytes, long httpTimeoutMs, S3 s3,
                       List<String> allowedHosts, DownloadLimits downloads) {
            this(roots, maxArtifactBytes, cacheDir, cacheMaxBytes, httpTimeoutMs, s3, allowedHosts, downloads, "");
        }

        public Storage {
            keysDir = keysDir == null ? "" : keysDir;
            ConfigCheck.directoryOrEmpty("node.storage.keysDir", keysDir);
            allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
            roots = List.copyOf(roots);
            ConfigCheck.require(roots.stream().noneMatch(String::isBlank), "node.storage.roots must not hold an empty path, got %s", roots);
            ConfigCheck.atLeast("node.storage.maxArtifactBytes", maxArtifactBytes, 1);
            ConfigCheck.atLeast("node.storage.cacheMaxBytes", cacheMaxBytes, 0);
            ConfigCheck.atLeast("node.storage.httpTimeoutMs", httpTimeoutMs, 1);
            s3 = s3 == null ? S3.defaults() : s3;
            downloads = downloads == null ? DownloadLimits.defaults() : downloads;
        }

        public Storage withRoots(List<String> newRoots) {
            return new Storage(newRoots, maxArtifactBytes, cacheDir, cacheMaxBytes, httpTimeoutMs, s3, allowedHosts, downloads, keysDir);
        }

        /** The disk cache's directory, absolute: {@code cacheDir}, or {@code $TMPDIR/meshwork-artifacts} when empty. */
        public java.nio.file.Path cachePath() {
            return (cacheDir.isEmpty() ? java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "meshwork-artifacts")
                    : java.nio.file.Path.of(cacheDir)).toAbsolutePath().normalize();
        }

        public Storage withS3(S3 newS3) {
            return new Storage(roots, maxArtifactBytes, cacheDir, cacheMaxBytes, httpTimeoutMs, newS3, allowedHosts, downloads, keysDir);
        }
    }

    /**
     * Downloads (http(s) and s3) run on their own threads, apart from loads: a slow or hostile server
     * holds a download thread, never a load, and a model on local storage loads meanwhile.
     *
     * @param threads       downloads at once on this node
     * @param perHost       downloads at once from one host, so one server cannot take every download thread
     * @param idleTimeoutMs a download that receives no byte for this long fails
     * @param deadlineMs    a download that has not finished after this long fails, however steadily it drips
     */
    public record DownloadLimits(int threads, int perHost, long idleTimeoutMs, long deadlineMs) {
        public DownloadLimits {
            ConfigCheck.atLeast("node.storage.downloads.threads", threads, 1);
            ConfigCheck.atLeast("node.storage.downloads.perHost", perHost, 1);
            ConfigCheck.atLeast("node.storage.downloads.idleTimeoutMs", idleTimeoutMs, 10);
            ConfigCheck.atLeast("node.storage.downloads.deadlineMs", deadlineMs, 10);
        }

        public static DownloadLimits defaults() {
            return new DownloadLimits(4, 2, 30_000, 1_800_000);
        }
    }

    /**
     * An S3 or S3-compatible service (MinIO, Ceph, S3Proxy, ...).
     *
     * @param endpoint        e.g. {@code http://minio:9000}; empty means AWS's own endpoint for the region
     * @param region          the signing region
     * @param accessKeyId     empty: the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment variables,
     *                        and without those anonymous requests
     * @param secretAccessKey the secret to accessKeyId
     * @param pathStyle       bucket in the path ({@code endpoint/bucket/key}), which most S3-compatible
     *                        servers need, rather than in the host name
     */
    public record S3(String endpoint, String region, String accessKeyId, String secretAccessKey, boolean pathStyle) {
        public static S3 defaults() {
            return new S3("", "us-east-1", "", "", true);
        }

        /** Without the secret, for logs and status. */
        @Override
        public String toString() {
            return "S3[endpoint=" + endpoint + ", region=" + region + ", accessKeyId=" + accessKeyId + ", pathStyle=" + pathStyle + "]";
        }
    }

    /**
     * @param intraOpThreads threads one inference may use inside ONNX Runtime; 1 suits many small
     *                       concurrent requests, raise it for few large ones
     * @param interOpThreads threads for running independent graph branches in parallel
     */
    public record Onnx(int intraOpThreads, int interOpThreads) {
        public Onnx {
            ConfigCheck.atLeast("node.onnx.intraOpThreads", intraOpThreads, 0); // 0: ONNX Runtime's own default
            ConfigCheck.atLeast("node.onnx.interOpThreads", interOpThreads, 0);
        }
    }

    public NodeConfig withExternalRuntimes(List<External> newExternalRuntimes) {
        return new NodeConfig(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel,
                queueTimeoutMs, storage, onnx, newExternalRuntimes, slots, evictionPolicy, isolation, overload, inlineMicros);
    }

    public NodeConfig withOverload(Overload newOverload) {
        return new NodeConfig(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel,
                queueTimeoutMs, storage, onnx, externalRuntimes, slots, evictionPolicy, isolation, newOverload, inlineMicros);
    }

    /**
     * The same node whose slots never evict: what its caller loads must fit, else the load is refused
     * at once (the runtime-server, whose caller keeps the accounts).
     */
    public NodeConfig callerEvicts() {
        return new NodeConfig(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel,
                queueTimeoutMs, storage, onnx, externalRuntimes, slots, dev.meshwork.placement.eviction.NoEviction.NAME, isolation, overload, inlineMicros);
    }

    public NodeConfig withInlineMicros(long newInlineMicros) {
        return new NodeConfig(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel,
                queueTimeoutMs, storage, onnx, externalRuntimes, slots, evictionPolicy, isolation, overload, newInlineMicros);
    }

    public NodeConfig withStorage(Storage newStorage) {
        return new NodeConfig(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel,
                queueTimeoutMs, newStorage, onnx, externalRuntimes, slots, evictionPolicy, isolation, overload, inlineMicros);
    }

    public static NodeConfig defaults() {
        return new NodeConfig("node-0", 2L << 30, 2, 120_000, 30_000, 0, 30_000,
                new Storage(List.of(), 2L << 30, "", 10L << 30, 60_000, S3.defaults()), new Onnx(1, 1), List.of(), List.of(), EvictionPolicies.DEFAULT);
    }
}
