package dev.meshwork.perf.workload;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The models a scenario registers: copies of one ONNX example padded to log-normal sizes, so that a
 * live mesh sees models of unequal sizes that really take their memory and their read time. The
 * padding is the ModelProto's {@code doc_string} (field 6) appended after the example's bytes; a
 * protobuf parser takes the last value of a repeated singular field, so the model is unchanged.
 * Written once per scenario; the arrays are not copied (read-only by convention).
 *
 * @param ids         model ids, {@code w-00000} ...
 * @param files       the artifact of each model
 * @param memoryBytes what a node reserves for each model: ONNX Runtime's prediction, 2 x file + 1 MiB
 */
public record ModelSet(String[] ids, Path[] files, long[] memoryBytes) {
    /** ONNX Runtime's slot reserves this many times the file's size ... */
    static final long SIZE_FACTOR = 2;
    /** ... plus this per session (OnnxRuntimeAdapter.SESSION_OVERHEAD_BYTES; ModelSetTest keeps the two equal). */
    static final long SESSION_BYTES = 1 << 20;
    private static final int DOC_STRING_TAG = (6 << 3) | 2;

    /** Writes the artifacts of {@code models} under {@code dir}, keeping files already there with the right size. */
    public static ModelSet write(Scenario.Models models, Path example, Path dir, long seed) throws IOException {
        byte[] base = Files.readAllBytes(example);
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(seed);
        int n = models.count();
        String[] ids = new String[n];
        Path[] files = new Path[n];
        long[] memory = new long[n];
        for (int m = 0; m < n; m++) {
            double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            long wanted = Math.round(models.medianMb() * (1 << 20) * Math.exp(models.sizeSigma() * gaussian));
            long padding = Math.max(0, (wanted - SESSION_BYTES) / SIZE_FACTOR - base.length - 10);
            ids[m] = String.format("w-%05d", m);
            files[m] = dir.resolve(ids[m] + ".onnx");
            long size = base.length + (padding == 0 ? 0 : 1 + varintLength(padding) + padding);
            if (!Files.isRegularFile(files[m]) || Files.size(files[m]) != size) {
                writePadded(files[m], base, padding);
            }
            memory[m] = SIZE_FACTOR * Files.size(files[m]) + SESSION_BYTES;
        }
        return new ModelSet(ids, files, memory);
    }

    public int count() {
        return ids.length;
    }

    public long totalMemoryBytes() {
        return java.util.Arrays.stream(memoryBytes).sum();
    }

    private static void writePadded(Path file, byte[] base, long padding) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            out.write(base);
            if (padding > 0) {
                out.write(DOC_STRING_TAG);
                for (long v = padding; ; v >>>= 7) {
                    if (v < 0x80) {
                        out.write((int) v);
                        break;
                    }
                    out.write((int) (v & 0x7f) | 0x80);
                }
                byte[] chunk = new byte[1 << 16];
                java.util.Arrays.fill(chunk, (byte) ' ');
                for (long left = padding; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static int varintLength(long v) {
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
