package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The command-line client run as its own process, as {@code ./meshwork models ...} runs it, against a router. */
final class CliProcess {
    /** What one run did: its exit code and what it printed. */
    record Run(int exit, String out, String err) {
    }

    private CliProcess() {
    }

    /** Runs the client with {@code args} (and {@code stdin}, or none) against {@code server}. */
    static Run run(String server, String stdin, String... args) throws IOException, InterruptedException {
        // the client's own class path (the build packs cli/ before these tests), not the tests' hundreds of jars
        Path cli = MeshProcess.repoRoot().resolve("cli/target");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", cli.resolve("classes") + java.io.File.pathSeparator + cli.resolve("lib") + "/*", "dev.meshwork.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put("MESHWORK_SERVER", server);
        b.environment().put("MESHWORK_CONFIG", "/nonexistent/client.yaml"); // never the machine's own file
        Process p = b.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
