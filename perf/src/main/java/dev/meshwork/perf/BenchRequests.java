package dev.meshwork.perf;

import com.google.protobuf.ByteString;
import dev.meshwork.protocol.oip.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The requests benchmarks send, in every form they send them; shared by the scenarios. */
public final class BenchRequests {
    private BenchRequests() {
    }

    /** The model's input, as the three paths send it: two FP32 [1,2] tensors a and b (add-vectors) or one [1,4] (mlp-classifier). */
    public record Input(Map<String, float[]> tensors, Map<String, long[]> shapes, String json) {
    }

    public static Input input(String model) {
        if (model.equals("mlp-classifier") || model.startsWith("xgb-") || model.startsWith("lgbm-")) { // four FP32 features
            return new Input(Map.of("input", new float[]{5.1f, 3.5f, 1.4f, 0.2f}), Map.of("input", new long[]{1, 4}),
                    "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}");
        }
        if (model.startsWith("sklearn-") || model.startsWith("logreg")) { // scikit-learn's input-0 (KServe's name), four iris features
            return new Input(Map.of("input-0", new float[]{6.8f, 2.8f, 4.8f, 1.4f}), Map.of("input-0", new long[]{1, 4}),
                    "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}");
        }
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("a", new float[]{1, 2});
        t.put("b", new float[]{10, 20});
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("a", new long[]{1, 2});
        s.put("b", new long[]{1, 2});
        return new Input(t, s, "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
                + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}");
    }

    public static <T> CompletableFuture<T> toCompletable(com.google.common.util.concurrent.ListenableFuture<T> lf) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        lf.addListener(() -> {
            try {
                cf.complete(lf.get());
            } catch (Exception e) {
                cf.completeExceptionally(e);
            }
        }, Runnable::run);
        return cf;
    }

    /** A POST of {@code body} to a Vert.x client's server; fails unless the answer is 200. */
    public static CompletableFuture<?> rest(io.vertx.core.http.HttpClient http, int port, String path, io.vertx.core.buffer.Buffer body,
                                            String authorization) {
        return http.request(io.vertx.core.http.HttpMethod.POST, port, "127.0.0.1", path)
                .compose(req -> {
                    req.putHeader("content-type", "application/json");
                    if (authorization != null) {
                        req.putHeader("authorization", authorization);
                    }
                    return req.send(body);
                })
                .compose(resp -> resp.statusCode() == 200 ? resp.body() : io.vertx.core.Future.failedFuture("HTTP " + resp.statusCode()))
                .toCompletionStage().toCompletableFuture();
    }

    public static ModelInferRequest grpcRequest(String model, Input in) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
        for (Map.Entry<String, float[]> e : in.tensors().entrySet()) {
            var t = b.addInputsBuilder().setName(e.getKey()).setDatatype("FP32");
            for (long d : in.shapes().get(e.getKey())) {
                t.addShape(d);
            }
            ByteBuffer buf = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : e.getValue()) {
                buf.putFloat(f);
            }
            b.addRawInputContents(ByteString.copyFrom(buf.flip()));
        }
        return b.build();
    }

}
