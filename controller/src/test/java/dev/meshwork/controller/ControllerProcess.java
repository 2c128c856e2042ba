package dev.meshwork.controller;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The controller as a separate JVM on this test's class path, started and stopped by a test. */
final class ControllerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ControllerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code ControllerMain} with the flags and waits (up to 60 s) for its banner. */
    static ControllerProcess start(Path dir, List<String> flags) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("controller.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ControllerMain.class.getName()));
        cmd.addAll(flags);
        ProcessBuilder b = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().remove("KUBECONFIG");
        ControllerProcess p = new ControllerProcess(b.start(), log);
        try {
            await("the controller's banner").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!p.process.isAlive()) {
                    throw new IllegalStateException("the controller exited with " + p.process.exitValue() + ":\n" + p.output());
                }
                return p.output().contains("Meshwork controller is up");
            });
        } catch (RuntimeException e) {
            p.process.destroyForcibly();
            throw e;
        }
        return p;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
