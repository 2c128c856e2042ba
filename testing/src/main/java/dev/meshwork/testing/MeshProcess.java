package dev.meshwork.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One Meshwork process started as a separate JVM on loopback with ports picked by the OS: a
 * standalone mesh, a cluster router or a node; the ports are read from its banner. Closing it
 * stops the process (SIGTERM, so a node drains), {@link #kill} kills it.
 */
public final class MeshProcess implements AutoCloseable {
    private static final Pattern REST = Pattern.compile("REST  (https?)://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern GRPC = Pattern.compile("gRPC  127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern NODE = Pattern.compile("Meshwork node \\S+ is up: gRPC 127\\.0\\.0\\.\\d+:(\\d+), HTTP 127\\.0\\.0\\.1:(\\d+)");
    private final Process process;
    private final Path log;
    private final int httpPort;
    private final int grpcPort;
    private final String scheme;

    private MeshProcess(Process process, Path log, String scheme, int httpPort, int grpcPort) {
        this.scheme = scheme;
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
    }

    /** A loopback port nothing listens on now (for a process to bind, or a cluster member list). */
    public static int freePort() throws IOException {
        return FreePorts.next();
    }

    /** The repository checkout the tests run in: {@code meshwork.repo.root}, else the nearest directory up with {@code mvnw} and {@code examples/}. */
    public static Path repoRoot() {
        String configured = System.getProperty("meshwork.repo.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("examples"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside a Meshwork checkout (no mvnw and examples/ above " + Path.of("").toAbsolutePath() + ")");
    }

    /** Starts {@code Main up} with the given extra flags and waits until it answers health checks. */
    public static MeshProcess start(Path workDir, String... flags) throws IOException, InterruptedException {
        return start(workDir, Map.of(), flags);
    }

    /** As {@link #start(Path, String...)}, the process also getting the environment variables {@code env}. */
    public static MeshProcess start(Path workDir, Map<String, String> env, String... flags) throws IOException, InterruptedException {
        return start(workDir, List.of(), env, flags);
    }

    /**
     * As {@link #start(Path, Map, String...)}, the command run under {@code prefix} ({@code taskset -c 0}
     * pins it to a core, so a benchmark's load generator does not take the mesh's cores).
     */
    public static MeshProcess start(Path workDir, List<String> prefix, Map<String, String> env, String... flags)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        List<String> args = new ArrayList<>(List.of("dev.meshwork.router.Main", "up",
                "--http.port=0", "--grpc.port=0", "--examples=" + repoRoot().resolve("examples"),
                "--node.storage.roots=" + workDir.toRealPath(), "--node.storage.cacheDir=" + workDir.resolve("artifact-cache"),
                "--node.isolation.stateDir=" + workDir.resolve("node-state")));
        args.addAll(List.of(flags));
        return launch(workDir, prefix, args, env);
    }

    /** Starts a cluster router ({@code Main router}) with the given flags and waits until it answers health checks. */
    public static MeshProcess router(Path workDir, List<String> flags) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("dev.meshwork.router.Main", "router", "--http.port=0", "--grpc.port=0"));
        args.addAll(flags);
        return launch(workDir, args);
    }

    /** Starts a node ({@code NodeMain}) with the given flags and waits until it has joined and listens. */
    public static MeshProcess node(Path workDir, List<String> flags) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("dev.meshwork.node.cluster.NodeMain", "--grpc.port=0", "--http.port=0",
                "--node.storage.cacheDir=" + workDir.resolve("artifact-cache"), "--node.isolation.stateDir=" + workDir.resolve("node-state")));
        args.addAll(flags);
        return launch(workDir, args);
    }

    /** The JVM flags every test process gets: a small heap, native access, and what Hazelcast asks for. */
    static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(List.of("-Xmx512m", "--enable-native-access=ALL-UNNAMED", "--add-modules", "java.se",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
        if (Boolean.getBoolean("meshwork.test.quickJvm")) {
            // tests (not benchmarks) start many short-lived processes on 2 cores: the C1 compiler alone and a
            // single-threaded collector leave the cores to the processes' work instead of C2 and GC threads
            flags.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        return flags;
    }

    private static MeshProcess launch(Path workDir, List<String> mainAndArgs) throws IOException, InterruptedException {
        return launch(workDir, List.of(), mainAndArgs, Map.of());
    }

    private static MeshProcess launch(Path workDir, List<String> prefix, List<String> mainAndArgs, Map<String, String> env)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java);
        cmd.addAll(jvmFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        return run(workDir, cmd, mainAndArgs, env);
    }

    /**
     * Runs the repository's own launcher as a user would ({@code ./meshwork up --http.port=0 ...})
     * on the build Maven has just made ({@code MESHWORK_NO_BUILD}), and waits for its banner.
     */
    public static MeshProcess launcher(Path workDir, String... args) throws IOException, InterruptedException {
        return launcher(repoRoot().resolve("meshwork"), workDir, args);
    }

    /** Runs a given launcher script (the release distribution's {@code bin/meshwork}) with a small heap, and waits for its banner. */
    public static MeshProcess launcher(Path script, Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        return run(workDir, cmd, cmd, Map.of("MESHWORK_NO_BUILD", "1", "MESHWORK_JVM_OPTS", "-Xmx512m"));
    }

    private static MeshProcess run(Path workDir, List<String> cmd, List<String> described, Map<String, String> env)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve("mesh.log");
        Files.write(workDir.resolve("command.txt"), cmd);
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
        builder.environment().putAll(env);
        Process p = builder.start();
        boolean up = false;
        try {
            MeshProcess started = awaitBanner(p, log, described);
            up = true;
            return started;
        } finally {
            if (!up) {
                p.destroyForcibly(); // failed, timed out or interrupted: never leave the process behind
            }
        }
    }

    /** Waits (up to 90 s) for the process to print where it listens; a timeout includes the JVM's thread dump. */
    private static MeshProcess awaitBanner(Process p, Path log, List<String> mainAndArgs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try {
            MeshProcess started = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> listening(p, log, mainAndArgs), java.util.Objects::nonNull);
            // a router also answers health checks before it counts as up (over TLS the banner comes after the listener is up)
            if (!NODE.matcher(Files.readString(log)).find() && started.scheme.equals("http")) {
                started.awaitHealthy(deadline);
            }
            return started;
        } catch (ConditionTimeoutException e) {
            // SIGQUIT makes the JVM print every thread's stack to its output, the log: where it is stuck
            new ProcessBuilder("kill", "-3", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> Files.readString(log).contains("Full thread dump"));
            throw new IllegalStateException("process did not start within 90 s (" + String.join(" ", mainAndArgs) + "):\n" + Files.readString(log));
        }
    }

    /** The process once its banner says where it listens, null before; an exited process is an error with its output. */
    private static MeshProcess listening(Process p, Path log, List<String> mainAndArgs) throws IOException {
        if (!p.isAlive()) {
            throw new IllegalStateException("process exited with " + p.exitValue() + " (" + String.join(" ", mainAndArgs) + "):\n"
                    + Files.readString(log));
        }
        String out = Files.readString(log);
        Matcher node = NODE.matcher(out);
        if (node.find()) {
            return new MeshProcess(p, log, "http", Integer.parseInt(node.group(2)), Integer.parseInt(node.group(1)));
        }
        Matcher rest = REST.matcher(out);
        Matcher grpc = GRPC.matcher(out);
        return rest.find() && grpc.find() ? new MeshProcess(p, log, rest.group(1), Integer.parseInt(rest.group(2)),
                Integer.parseInt(grpc.group(1))) : null;
    }

    private void awaitHealthy(long deadline) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest live = HttpRequest.newBuilder(URI.create(http() + "/v2/health/live")).build();
        try {
            await().atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).pollInterval(Duration.ofMillis(100))
                    .ignoreException(IOException.class) // not listening yet
                    .until(() -> client.send(live, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("mesh never became ready:\n" + Files.readString(log), e);
        }
    }

    /** The process's output (stdout and stderr). */
    public Path log() {
        return log;
    }

    public String http() {
        return scheme + "://127.0.0.1:" + httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** SIGTERM and wait: a node drains before it exits. */
    public void stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends the process a signal by name ({@code STOP}, {@code CONT}, ...) and waits for {@code kill} to have sent it. */
    public void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + pid() + " failed");
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * What the process printed, and the start of the JVM's crash report when it died in native code
     * (written beside the log, in its working directory): a failing test then shows the native and
     * Java frames, which go with the test's temporary directory otherwise.
     */
    public String output() throws IOException {
        StringBuilder out = new StringBuilder(Files.readString(log));
        try (java.util.stream.Stream<Path> files = Files.list(log.getParent())) {
            for (Path report : files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).sorted().toList()) {
                out.append("\n--- ").append(report.getFileName()).append(", the JVM's crash report (first 120 lines) ---\n");
                try (java.util.stream.Stream<String> lines = Files.lines(report, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    lines.limit(120).forEach(l -> out.append(l).append('\n'));
                }
            }
        }
        return out.toString();
    }

    /** The processes the mesh started itself (external runtimes it supervises). */
    public java.util.List<ProcessHandle> children() {
        return process.toHandle().children().toList();
    }

    /** kill -9: no shutdown hook, no flush, nothing the process could do to save itself. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
