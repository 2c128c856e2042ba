package dev.meshwork.router.rest;

import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.util.Map;

/** An HTTP answer: status, body, its content type (JSON unless said otherwise) and any further headers. */
record Reply(int status, byte[] body, String contentType, Map<String, String> headers) {
    Reply {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    Reply(int status, byte[] body, String contentType) {
        this(status, body, contentType, Map.of());
    }

    Reply(int status, byte[] body) {
        this(status, body, "application/json");
    }

    static Reply ok(byte[] body) {
        return new Reply(200, body);
    }

    static Reply json(int status, Object value) {
        return new Reply(status, JsonTensorCodec.toBytes(value));
    }
}
