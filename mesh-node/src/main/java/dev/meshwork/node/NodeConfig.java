package dev.meshwork.node;

import java.util.List;

/**
 * The node agent's one configuration object (YAML section {@code node}, environment
 * {@code MESHWORK_NODE_*} in standalone mode). Every default works on a laptop.
 *
 * @param nodeId              the node's name in status and the placement table
 * @param slotMemoryBytes     the memory budget of each runtime slot
 * @param loadThreads         platform threads that run model loads (file I/O and native code)
 * @param loadTimeoutMs       how long a request waits for a model load before it fails
 * @param failedLoadBackoffMs how long a failed load is remembered before the next request retries it
 * @param maxConcurrencyPerModel requests that may run on one model at once (0: no limit); more wait their turn
 * @param queueTimeoutMs      how long a request waits for its turn before it fails with UNAVAILABLE
 * @param storage             where artifacts may come from and how large they may be
 * @param onnx                ONNX Runtime session settings
 * @param externalRuntimes    runtime processes that speak ModelMesh's runtime SPI, each a slot of its own
 */
public record NodeConfig(String nodeId, long slotMemoryBytes, int loadThreads, long loadTimeoutMs,
                         long failedLoadBackoffMs, int maxConcurrencyPerModel, long queueTimeoutMs, Storage storage, Onnx onnx,
                         List<External> externalRuntimes) {

    public NodeConfig {
        externalRuntimes = externalRuntimes == null ? List.of() : List.copyOf(externalRuntimes);
    }

    /**
     * An external runtime process (ModelMesh's {@code mmesh.ModelRuntime} plus OIP inference).
     *
     * @param name             the runtime's name, which registrations use in their {@code runtime} field
     * @param formats          the model formats it serves (sent as ModelMesh's modelType)
     * @param endpoint         {@code host:port}, or {@code unix:///path/to/socket}
     * @param capacityBytes    the slot's budget; 0 takes the runtime's own capacityInBytes
     * @param startupTimeoutMs how long to wait for runtimeStatus READY before a load fails
     */
    public record External(String name, List<String> formats, String endpoint, long capacityBytes, long startupTimeoutMs) {
        public External {
            formats = List.copyOf(formats);
        }
    }

    /**
     * @param roots            directories that file:// and plain-path storageUris must lie under
     * @param maxArtifactBytes the largest artifact (file, or directory in total) a load accepts
     * @param cacheDir         where downloaded artifacts are kept; empty means a folder under java.io.tmpdir
     * @param cacheMaxBytes    the disk cache's bound (it may pass it by one artifact while that downloads)
     * @param httpTimeoutMs    connect and response timeout of http(s) downloads
     */
    public record Storage(List<String> roots, long maxArtifactBytes, String cacheDir, long cacheMaxBytes, long httpTimeoutMs) {
        public Storage {
            roots = List.copyOf(roots);
        }

        public Storage withRoots(List<String> newRoots) {
            return new Storage(newRoots, maxArtifactBytes, cacheDir, cacheMaxBytes, httpTimeoutMs);
        }
    }

    /**
     * @param intraOpThreads threads one inference may use inside ONNX Runtime; 1 suits many small
     *                       concurrent requests, raise it for few large ones
     * @param interOpThreads threads for running independent graph branches in parallel
     */
    public record Onnx(int intraOpThreads, int interOpThreads) {
    }

    public NodeConfig withStorage(Storage newStorage) {
        return new NodeConfig(nodeId, slotMemoryBytes, loadThreads, loadTimeoutMs, failedLoadBackoffMs, maxConcurrencyPerModel,
                queueTimeoutMs, newStorage, onnx, externalRuntimes);
    }

    public static NodeConfig defaults() {
        return new NodeConfig("node-0", 2L << 30, 2, 120_000, 30_000, 0, 30_000,
                new Storage(List.of("."), 2L << 30, "", 10L << 30, 60_000), new Onnx(1, 1), List.of());
    }
}
