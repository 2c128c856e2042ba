package dev.meshwork.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtNativeLibrariesTest {
    @Test
    void oneCopyIsExtractedOnceOwnerOnlyAndConcurrentProcessesAgreeOnIt(@TempDir Path root) throws Exception {
        Path cache = root.resolve("native");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> dirs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                dirs.add(pool.submit(() -> OrtNativeLibraries.extracted(cache, "linux-x64")));
            }
            Path first = dirs.get(0).get(60, TimeUnit.SECONDS);
            for (Future<Path> d : dirs) {
                assertThat(d.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            }
            assertThat(first.resolve("libonnxruntime.so")).isRegularFile();
            assertThat(Files.size(first.resolve("libonnxruntime.so"))).isGreaterThan(1_000_000);
            assertThat(first.resolve("libonnxruntime4j_jni.so")).isRegularFile();
            assertThat(first.getFileName().toString()).startsWith("onnxruntime-");
            try (var left = Files.list(cache)) {
                assertThat(left.toList()).as("no staging directory is left").containsExactly(first);
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
            long modified = Files.getLastModifiedTime(first.resolve("libonnxruntime.so")).toMillis();
            assertThat(OrtNativeLibraries.extracted(cache, "linux-x64")).isEqualTo(first);
            assertThat(Files.getLastModifiedTime(first.resolve("libonnxruntime.so")).toMillis()).as("not extracted again").isEqualTo(modified);
        } finally {
            pool.shutdownNow();
        }
    }
}
