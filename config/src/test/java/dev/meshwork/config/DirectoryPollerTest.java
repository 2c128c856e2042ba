package dev.meshwork.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryPollerTest {
    static final long NEVER = 3_600_000;

    @Test
    void aChangeIsReportedOnceTheDirectoryHasSettled(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "x: 1\n");
        AtomicInteger changes = new AtomicInteger();
        try (DirectoryPoller poller = new DirectoryPoller(dir, NEVER, "test-poller", changes::incrementAndGet)) {
            poller.poll();
            assertThat(changes).hasValue(0);

            // a save caught half-way: truncated, then written
            Files.writeString(dir.resolve("a.yaml"), "");
            poller.poll();
            Files.writeString(dir.resolve("a.yaml"), "x: 1\ny: 2\n");
            poller.poll();
            assertThat(changes).as("the truncated file was never reported").hasValue(0);
            poller.poll();
            assertThat(changes).hasValue(1);
            poller.poll();
            assertThat(changes).hasValue(1);
        }
    }

    @Test
    void onlyYamlFilesCount(@TempDir Path dir) throws Exception {
        AtomicInteger changes = new AtomicInteger();
        try (DirectoryPoller poller = new DirectoryPoller(dir, NEVER, "test-poller", changes::incrementAndGet)) {
            Files.writeString(dir.resolve("notes.txt"), "hello");
            poller.poll();
            poller.poll();
            assertThat(changes).hasValue(0);
            Files.writeString(dir.resolve("b.yml"), "x: 1\n");
            poller.poll();
            poller.poll();
            assertThat(changes).hasValue(1);
            assertThat(DirectoryPoller.yamlFiles(dir)).containsExactly(dir.resolve("b.yml"));
        }
    }
}
