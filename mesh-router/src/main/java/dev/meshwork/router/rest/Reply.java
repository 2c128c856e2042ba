package dev.meshwork.router.rest;

import dev.meshwork.protocol.tensor.JsonTensorCodec;

/** An HTTP answer: status and JSON body. */
record Reply(int status, byte[] body) {
    static Reply ok(byte[] body) {
        return new Reply(200, body);
    }

    static Reply json(int status, Object value) {
        return new Reply(status, JsonTensorCodec.toBytes(value));
    }
}
