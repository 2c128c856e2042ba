package dev.meshwork.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestCacheTest {
    @TempDir
    Path dir;

    private final AtomicInteger reads = new AtomicInteger();

    private DigestCache cache(int maxFiles, long settledMillis) {
        return new DigestCache(maxFiles, settledMillis, f -> {
            reads.incrementAndGet();
            return ArtifactDigest.hexOf(f);
        });
    }

    @Test
    void anUnchangedFileIsReadOnceAndAnswersWhatReadingItDoes() throws IOException {
        Path f = Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        DigestCache cache = cache(16, 0);
        String first = cache.of(f);
        assertThat(cache.of(f)).isEqualTo(first).isEqualTo(ArtifactDigest.of(f));
        assertThat(reads).hasValue(1);
    }

    @Test
    void aRewriteInPlaceThatRestoresTheModificationTimeIsReadAgain() throws Exception {
        Path f = Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        FileTime modified = Files.getLastModifiedTime(f);
        DigestCache cache = cache(16, 0);
        String before = cache.of(f);
        Thread.sleep(50); // past the file system's time tick, which the settled rule covers outside tests
        Files.write(f, new byte[] {1, 2, 3, 5});
        Files.setLastModifiedTime(f, modified);
        assertThat(Files.size(f)).isEqualTo(4);
        assertThat(cache.of(f)).as("same size and modification time, other bytes").isNotEqualTo(before)
                .isEqualTo(ArtifactDigest.of(f));
        assertThat(reads).hasValue(2);
    }

    @Test
    void aFileReplacedByRenameIsReadAgain() throws Exception {
        Path f = Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        DigestCache cache = cache(16, 0);
        String before = cache.of(f);
        Path other = Files.write(dir.resolve("other"), new byte[] {9, 9, 9, 9});
        Files.move(other, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(cache.of(f)).isNotEqualTo(before).isEqualTo(ArtifactDigest.of(f));
    }

    @Test
    void aFileChangedWithinTheSettlingTimeIsNeverKept() throws IOException {
        Path f = Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        DigestCache cache = cache(16, 60_000);
        cache.of(f);
        cache.of(f);
        assertThat(reads).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void aDirectoryDigestIsTheUncachedOneAndItsFilesAreKeptOneByOne() throws IOException {
        Path model = Files.createDirectories(dir.resolve("saved_model/variables"));
        Files.write(model.resolve("variables.data"), new byte[] {7, 7});
        Files.write(dir.resolve("saved_model/saved_model.pb"), new byte[] {1});
        DigestCache cache = cache(16, 0);
        String digest = cache.of(dir.resolve("saved_model"));
        assertThat(digest).isEqualTo(ArtifactDigest.of(dir.resolve("saved_model")));
        assertThat(cache.of(dir.resolve("saved_model"))).isEqualTo(digest);
        assertThat(reads).hasValue(2);
    }

    @Test
    void theCacheKeepsAtMostItsBound() throws IOException {
        DigestCache cache = cache(3, 0);
        for (int i = 0; i < 10; i++) {
            cache.of(Files.write(dir.resolve("m" + i), new byte[] {(byte) i}));
        }
        assertThat(cache.size()).isEqualTo(3);
        cache.of(dir.resolve("m9"));
        assertThat(reads).as("the most recent file is still kept").hasValue(10);
        cache.of(dir.resolve("m0"));
        assertThat(reads).as("the oldest was dropped").hasValue(11);
    }
}
