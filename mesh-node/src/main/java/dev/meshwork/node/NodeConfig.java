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
 * @param storage             where artifacts may come from and how large they may be
 * @param onnx                ONNX Runtime session settings
 */
public record NodeConfig(String nodeId, long slotMemoryBytes, int loadThreads, long loadTimeoutMs,
                         long failedLoadBackoffMs, Storage storage, Onnx onnx) {

    /**
     * @param roots            directories that file:// and plain-path storageUris must lie under
     * @param maxArtifactBytes the largest artifact (file, or directory in total) a load accepts
     */
    public record Storage(List<String> roots, long maxArtifactBytes) {
        public Storage {
            roots = List.copyOf(roots);
        }
    }

    /**
     * @param intraOpThreads threads one inference may use inside ONNX Runtime; 1 suits many small
     *                       concurrent requests, raise it for few large ones
     * @param interOpThreads threads for running independent graph branches in parallel
     */
    public record Onnx(int intraOpThreads, int interOpThreads) {
    }

    public static NodeConfig defaults() {
        return new NodeConfig("node-0", 2L << 30, 2, 120_000, 30_000,
                new Storage(List.of("."), 2L << 30), new Onnx(1, 1));
    }
}
