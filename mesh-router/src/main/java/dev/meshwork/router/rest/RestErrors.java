package dev.meshwork.router.rest;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every REST failure becomes {@code {"error": "..."}} with the HTTP status of its {@link ErrorCode}. */
final class RestErrors {
    private static final Logger LOG = LoggerFactory.getLogger(RestErrors.class);

    private RestErrors() {
    }

    static Reply reply(Throwable t) {
        MeshError e = MeshError.wrap(t);
        if (e.code() == ErrorCode.INTERNAL) {
            LOG.warn("internal error answering a REST request", t);
        }
        // a rate limit says when to come back, in whole seconds as HTTP has it
        Map<String, String> headers = e.retryAfterMillis() > 0 ? Map.of("Retry-After", Long.toString((e.retryAfterMillis() + 999) / 1000))
                : Map.of();
        return new Reply(e.code().httpStatus(), JsonTensorCodec.errorBody(e.getMessage()), "application/json", headers);
    }

    static Reply reply(int status, String message) {
        return new Reply(status, JsonTensorCodec.errorBody(message));
    }
}
