package dev.meshwork.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real child JVM: the process's stop runs to its end before any other shutdown hook
 * starts (ONNX Runtime's releases its native environment in one), and the exit status says TERM.
 */
class ProcessStopTest {
    @TempDir
    Path dir;

    /** The child: installs a stop that takes 500 ms, and another library's shutdown hook; says when each starts and ends. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path log = Path.of(args[0]);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> append(log, "other hook")));
            ProcessStop.install("test-stop", () -> {
                append(log, "stop begins");
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                append(log, "stop ends");
            });
            append(log, "up");
            Thread.sleep(60_000);
        }

        private static synchronized void append(Path log, String line) {
            try {
                Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void sigtermRunsTheStopToItsEndBeforeAnyOtherShutdownHook() throws Exception {
        Path log = dir.resolve("child.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), log.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.out").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(log) && Files.readString(log).contains("up")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readString(log)).contains("up");
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("128 + SIGTERM").isEqualTo(143);
            assertThat(Files.readAllLines(log)).containsExactly("up", "stop begins", "stop ends", "other hook");
        } finally {
            child.destroyForcibly();
        }
    }
}
