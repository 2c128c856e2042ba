package dev.meshwork.router.mesh;

import dev.meshwork.placement.registry.ModelFormat;
import java.util.List;

/**
 * A registered model and its copies, as the management API shows it.
 *
 * @param runtime        the runtime the registration named, if any
 * @param servingRuntime the ServingRuntime the selection rules picked (empty when a node runtime was named directly)
 * @param namespace      the namespace whose ServingRuntimes it may use
 * @param source         empty when registered through the API, {@code file:<path>} from the model directory
 * @param batching       how its node batches its requests; absent when it does not
 * @param logger         where its requests and answers are copied to; absent when nowhere
 */
public record ModelStatus(String name, ModelFormat modelFormat, String storageUri, String runtime, String servingRuntime,
                          String namespace, String source, State state, String error, List<CopyView> copies,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                          BatchingView batching,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                          LoggerView logger,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                          List<String> defaultOutputs) {

    /** Payload logging as a registration writes it (the url without credentials or query values). */
    public record LoggerView(String mode, String url) {
    }

    /** Batching as a registration writes it: rows, and milliseconds. */
    public record BatchingView(int maxBatchSize, double maxLatency,
                               @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                               java.util.List<Integer> preferredBatchSizes) {
    }

    /** The model's state across the mesh. */
    public enum State {
        NOT_LOADED, LOADING, LOADED, FAILED
    }

    /**
     * One copy: where it is and how it is doing; lastUsed is ISO-8601, digest the {@code sha256:} of the bytes it loaded,
     * crashed whether its FAILED load crashed a process (the model then loads on no node until it is unloaded);
     * while it is LOADING and its artifact downloads, downloadedBytes so far of downloadBytes (0 when the source did not say).
     */
    public record CopyView(String node, String slot, String state, long sizeBytes, String lastUsed, String digest, boolean crashed,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
                           long downloadedBytes,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
                           long downloadBytes) {
    }
}
