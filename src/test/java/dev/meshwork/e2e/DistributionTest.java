package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: unpacked outside the source tree (no Maven, no build),
 * its {@code bin/meshwork up} serves every example model it ships with the generators' answers.
 */
class DistributionTest {
    @TempDir
    Path dir;

    @Test
    void theUnpackedArchiveServesItsExamplesWithoutTheSourceTree() throws Exception {
        Path archive = Path.of(System.getProperty("meshwork.dist.archive", "dist/target/missing.tar.gz"));
        assertThat(archive).as("the archive ./mvnw package builds").isRegularFile();
        Path home = unpack(archive);

        assertThat(home.resolve("bin/meshwork")).isExecutable();
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertThat(names).contains("meshwork-router-" + version(archive) + ".jar", "meshwork-runtime-onnx-" + version(archive) + ".jar",
                            "meshwork-controller-" + version(archive) + ".jar")
                    .noneMatch(n -> n.startsWith("junit") || n.startsWith("assertj") || n.startsWith("awaitility"));
        }
        Process bench = new ProcessBuilder(home.resolve("bin/meshwork").toString(), "bench", "standalone")
                .redirectErrorStream(true).start();
        assertThat(bench.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bench.exitValue()).isEqualTo(2);
        assertThat(new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("runs from the source tree");

        try (MeshProcess mesh = MeshProcess.launcher(home.resolve("bin/meshwork"), dir.resolve("run"),
                "up", "--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=",
                "--node.storage.cacheDir=" + dir.resolve("run/artifacts"), "--node.isolation.stateDir=" + dir.resolve("run/state"))) {
            assertThat(mesh.output()).doesNotContain("building with ./mvnw");
            // the client verbs run from the release too (their JVM takes other options than the cache was made with)
            Process cli = new ProcessBuilder(home.resolve("bin/meshwork").toString(), "models", "list", "--server=" + mesh.http())
                    .redirectErrorStream(true).start();
            assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String listed = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.exitValue()).as(listed).isZero();
            assertThat(listed).contains("mlp-classifier");
            HttpClient client = HttpClient.newHttpClient();
            List<Path> examples;
            try (Stream<Path> found = Files.find(home.resolve("examples"), 3, (p, a) -> p.getFileName().toString().equals("expected.json"))) {
                examples = found.sorted().toList();
            }
            assertThat(examples).hasSizeGreaterThanOrEqualTo(9);
            for (Path expected : examples) {
                String model = expected.getParent().getFileName().toString();
                JsonNode c = Fixtures.JSON.readTree(expected.toFile()).get("cases").get(0);
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v2/models/" + model + "/infer"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(c))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("%s: %s", model, r.body()).isEqualTo(200);
                Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
            }
        }
    }

    @Test
    void onAJdkOf25OrNewerTheReleaseShipsAnAheadOfTimeCacheThatHoldsWhereverItIsUnpacked() throws Exception {
        Path archive = Path.of(System.getProperty("meshwork.dist.archive", "dist/target/missing.tar.gz"));
        Path home = unpack(archive); // another directory than the build's: the cache must hold for the jars moved with it
        Path cache = home.resolve("lib/meshwork.aot");
        if (Runtime.version().feature() < 25) {
            assertThat(cache).as("a JDK before 25 makes no cache").doesNotExist();
            return;
        }
        assertThat(cache).isRegularFile();
        // AOTMode=on: the JVM refuses to start unless it can use the cache (classpath, jars and JDK as the training run had them)
        ProcessBuilder b = new ProcessBuilder(home.resolve("bin/meshwork").toString(), "runtime-server", "--port=0",
                "--node.storage.cacheDir=" + dir.resolve("rs/cache"), "--node.isolation.stateDir=" + dir.resolve("rs/state"))
                .directory(Files.createDirectories(dir.resolve("rs")).toFile()).redirectErrorStream(true);
        b.environment().put("MESHWORK_JVM_OPTS", "-Xmx256m -XX:AOTMode=on");
        Process p = b.start();
        try {
            StringBuffer out = new StringBuffer();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    p.getInputStream().transferTo(new java.io.OutputStream() {
                        @Override
                        public void write(int b) {
                            out.append((char) b);
                        }
                    });
                } catch (java.io.IOException ignored) {
                    // the process was stopped
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive() && !out.toString().contains("listening on")) {
                Thread.sleep(50);
            }
            reader.join(100);
            assertThat(out.toString()).as("started with the cache").contains("listening on");
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path unpack(Path archive) throws Exception {
        Path target = Files.createDirectories(dir.resolve("unpacked-" + System.nanoTime()));
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", target.toString()).redirectErrorStream(true).start();
        assertThat(tar.waitFor(120, TimeUnit.SECONDS)).as("tar finished").isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        return target.resolve("meshwork-" + version(archive));
    }

    private static String version(Path archive) {
        String name = archive.getFileName().toString();
        return name.substring("meshwork-".length(), name.length() - ".tar.gz".length());
    }
}
