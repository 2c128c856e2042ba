package dev.meshwork.router.rest;

import dev.meshwork.protocol.tensor.JsonTensorCodec;

/** An HTTP answer: status, body and its content type (JSON unless said otherwise). */
record Reply(int status, byte[] body, String contentType) {
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
