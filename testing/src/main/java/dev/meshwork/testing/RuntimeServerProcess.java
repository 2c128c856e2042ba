package dev.meshwork.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code runtime-server} process on a given loopback port; kill() is kill -9. */
public final class RuntimeServerProcess implements AutoCloseable {
    private final Process process;

    private RuntimeServerProcess(Process process) {
        this.process = process;
    }

    /** A port that was free a moment ago (the runtime-server must come back on the same one). */

    /** A node's config file with one external runtime, {@code ext} (ONNX), at this port, its slot of {@code capacityBytes}. */
    public static Path nodeConfig(Path file, int port, long capacityBytes) throws IOException {
        return java.nio.file.Files.writeString(file, """
                node:
                  externalRuntimes:
                    - name: ext
                      formats: [onnx]
                      endpoint: "127.0.0.1:%d"
                      capacityBytes: %d
                      startupTimeoutMs: 2000
                """.formatted(port, capacityBytes));
    }

    public static RuntimeServerProcess start(Path workDir, int port, String logName, String... flags) throws IOException, InterruptedException {
        Path log = workDir.resolve(logName);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.meshwork.node.runtimeserver.RuntimeServerMain",
                "--port=" + port, "--node.storage.roots=" + workDir.toRealPath(),
                "--node.storage.cacheDir=" + workDir.resolve("runtime-cache")));
        cmd.addAll(List.of(flags));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
        Process p = b.start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("runtime-server exited:\n" + Files.readString(log));
                }
                return Files.readString(log).contains("listening on");
            });
            return new RuntimeServerProcess(p);
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw new IllegalStateException("runtime-server did not start:\n" + Files.readString(log), e);
        }
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
