package dev.meshwork.router.payload;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * One payload log event, as KServe's logger sends it: a CloudEvent 1.0 in binary mode, its
 * attributes in {@code ce-} headers and the request or answer as the JSON body. The body is made
 * when the event is sent, off the request's thread. Immutable.
 *
 * @param url       the sink
 * @param type      {@code org.kubeflow.serving.inference.request} or {@code .response}
 * @param id        the request's id, the same for its request and its answer
 * @param source    the router that saw it
 * @param service   the name the client called (KServe's {@code inferenceservicename})
 * @param namespace the model's namespace
 * @param endpoint  the model that served it (a vmodel's split may have several)
 * @param body      the JSON body
 * @param bytes     the body's size, or an estimate before it is made, for the queue's byte bound
 */
record CloudEvent(String url, String type, String id, String source, String service, String namespace, String endpoint, Instant time,
                  Supplier<byte[]> body, long bytes) {
    static final String REQUEST = "org.kubeflow.serving.inference.request";
    static final String RESPONSE = "org.kubeflow.serving.inference.response";

    /** The binary-mode headers, name then value. */
    String[] headers() {
        return new String[] {"ce-specversion", "1.0", "ce-id", id, "ce-type", type, "ce-source", source, "ce-time", time.toString(),
            "ce-inferenceservicename", service, "ce-namespace", namespace, "ce-component", "predictor", "ce-endpoint", endpoint,
            "Content-Type", "application/json"};
    }
}
