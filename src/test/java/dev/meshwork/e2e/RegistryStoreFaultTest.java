package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry store fails under a stream of registrations: a real PostgreSQL server (Debian's, a
 * cluster of the test's own) is crashed (immediate stop) and started again while a client
 * registers models one after another and another infers a registered model. Every registration
 * either is acknowledged and durable (in the database, listed, and still there after the mesh
 * restarts) or fails with a 503 that says the store could not take it, and then is not there;
 * serving never stops.
 */
class RegistryStoreFaultTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MeshExtension.Http send(String method, String url, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return new MeshExtension.Http(r.statusCode(), r.body());
        } catch (Exception e) {
            return new MeshExtension.Http(-1, e.toString());
        }
    }

    private static String registration() {
        return "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \""
                + MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx").toUri() + "\"}";
    }

    private Set<String> listed(MeshProcess mesh) throws Exception {
        Set<String> names = new HashSet<>();
        for (JsonNode m : Fixtures.JSON.readTree(send("GET", mesh.http() + "/v1/mesh/models", null).body()).get("models")) {
            names.add(m.get("name").asText());
        }
        return names;
    }

    @Test
    void registrationsAreDurableOrRefusedClearlyWhilePostgresCrashesAndServingNeverStops() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            String[] flags = {"--registry.jdbcUrl=" + pg.jdbcUrl()};
            List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
            List<String> refused = Collections.synchronizedList(new ArrayList<>());
            List<String> badRefusals = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger servingErrors = new AtomicInteger();
            AtomicInteger served = new AtomicInteger();
            AtomicLong ackedAfterRestart = new AtomicLong();
            AtomicBoolean restarted = new AtomicBoolean();
            MeshProcess mesh = MeshProcess.start(dir.resolve("mesh"), flags);
            try {
                assertThat(send("PUT", mesh.http() + "/v1/mesh/models/steady", registration()).status()).isBetween(200, 201);
                AtomicBoolean running = new AtomicBoolean(true);
                Thread writer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; running.get() && i < 5_000; i++) {
                        String name = "reg-" + i;
                        MeshExtension.Http r = send("PUT", mesh.http() + "/v1/mesh/models/" + name, registration());
                        if (r.status() == 200 || r.status() == 201) {
                            acknowledged.add(name);
                            if (restarted.get()) {
                                ackedAfterRestart.incrementAndGet();
                            }
                        } else {
                            if (refused.isEmpty()) {
                                System.out.println("first refusal: " + r.status() + " " + r.body());
                            }
                            refused.add(name);
                            if (r.status() != 503 || !r.body().contains("registry store")) {
                                badRefusals.add(name + ": " + r.status() + " " + r.body());
                            }
                        }
                        sleep(20);
                    }
                });
                Thread reader = Thread.ofPlatform().start(() -> {
                    for (int i = 0; running.get() && i < 20_000; i++) {
                        MeshExtension.Http r = send("POST", mesh.http() + "/v2/models/steady/infer", HungNodeTest.INFER);
                        if (r.status() == 200 && r.body().contains("[11.0,22.0]")) {
                            served.incrementAndGet();
                        } else {
                            servingErrors.incrementAndGet();
                        }
                        sleep(10);
                    }
                });
                sleep(1_500);
                pg.stop(true); // as a crash: clients cut off, no checkpoint
                sleep(3_000);
                pg.startAgain();
                restarted.set(true);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ackedAfterRestart.get() < 20 && System.nanoTime() < deadline) {
                    sleep(100);
                }
                running.set(false);
                writer.join(60_000);
                reader.join(60_000);

                System.out.printf("%d acknowledged (%d after the restart), %d refused, %d inferences served%n", acknowledged.size(),
                        ackedAfterRestart.get(), refused.size(), served.get());
                assertThat(badRefusals).as("a refused registration says the store could not take it (503)").isEmpty();
                assertThat(refused).as("the outage was seen by the writer").isNotEmpty();
                assertThat(ackedAfterRestart.get()).as("registrations work again once PostgreSQL is back").isGreaterThanOrEqualTo(20);
                assertThat(servingErrors.get()).as("serving never stopped (%d answers)", served.get()).isZero();
                Set<String> listed = listed(mesh);
                assertThat(listed).as("every acknowledged registration is listed").containsAll(acknowledged);
                assertThat(listed).as("no refused registration is").doesNotContainAnyElementsOf(refused);
            } finally {
                mesh.close();
            }
            Set<String> stored = new HashSet<>();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT id FROM meshwork_registry WHERE kind = 'model'")) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                }
            }
            assertThat(stored).as("every acknowledged registration is in the database").containsAll(acknowledged);
            assertThat(stored).as("no refused one is").doesNotContainAnyElementsOf(refused);
            MeshProcess again = MeshProcess.start(dir.resolve("mesh-again"), flags);
            try {
                assertThat(listed(again)).as("after a restart of the mesh").containsAll(acknowledged);
            } finally {
                again.close();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
