package dev.meshwork.perf;

import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./meshwork bench codec}: the REST v2 request decoder and response encoder on FP32 tensors of
 * 4, 1,024 and 65,536 elements, beside a parse of the same body into a JSON tree, which the decoder
 * did first before it read bodies as a stream (so the tree's parse alone is less than the old
 * decoder's whole cost).
 * One thread; the median of {@code rounds} timed batches of {@code seconds / rounds} each.
 */
final class CodecBench {
    private static final int[] SIZES = {4, 1024, 65_536};
    private final BenchConfig config;

    CodecBench(BenchConfig config) {
        this.config = config;
    }

    /** One tensor size's figures: microseconds per body, median of the rounds. */
    record Result(int elements, int bodyBytes, double decodeMicros, double treeParseMicros, double encodeMicros) {
    }

    String run() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int n : SIZES) {
            byte[] body = body(n);
            InferenceRequest check = JsonTensorCodec.decodeV2(body, "m", "");
            if (check.inputs().get(0).elementCount() != n) {
                throw new IllegalStateException("decoded " + check.inputs().get(0).elementCount() + " elements, sent " + n);
            }
            InferenceResponse answer = new InferenceResponse("m", "", "", Map.of(), check.inputs());
            time(() -> JsonTensorCodec.decodeV2(body, "m", ""), config.warmupSeconds());
            time(() -> JsonTensorCodec.parse(body), config.warmupSeconds());
            time(() -> JsonTensorCodec.encodeV2(answer), config.warmupSeconds());
            results.add(new Result(n, body.length, time(() -> JsonTensorCodec.decodeV2(body, "m", ""), config.seconds()),
                    time(() -> JsonTensorCodec.parse(body), config.seconds()), time(() -> JsonTensorCodec.encodeV2(answer), config.seconds())));
        }
        StringBuilder b = new StringBuilder("| FP32 elements | body bytes | decode µs | tree parse alone µs | decode / tree parse | encode µs |\n"
                + "|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "| %,d | %,d | %.2f | %.2f | %.2fx | %.2f |%n", r.elements(), r.bodyBytes(), r.decodeMicros(),
                    r.treeParseMicros(), r.decodeMicros() / r.treeParseMicros(), r.encodeMicros()));
        }
        String summary = b.toString();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("warmupSeconds", config.warmupSeconds());
        settings.put("seconds", config.seconds());
        settings.put("rounds", config.rounds());
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path dir = ResultWriter.write(root, "codec", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static byte[] body(int n) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < n; i++) {
            data.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", Math.sin(i) * 100));
        }
        return ("{\"inputs\":[{\"name\":\"x\",\"shape\":[1," + n + "],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code work} for about {@code seconds}, in rounds; the median microseconds per call. */
    private double time(Runnable work, double seconds) {
        int rounds = Math.max(1, config.rounds());
        double[] perCall = new double[rounds];
        long roundNanos = (long) (seconds * 1e9 / rounds);
        for (int r = 0; r < rounds; r++) {
            long calls = 0;
            long start = System.nanoTime();
            long now = start;
            while (now - start < roundNanos) {
                for (int i = 0; i < 16; i++) {
                    work.run();
                }
                calls += 16;
                now = System.nanoTime();
            }
            perCall[r] = (now - start) / 1e3 / calls;
        }
        Arrays.sort(perCall);
        return perCall[rounds / 2];
    }
}
