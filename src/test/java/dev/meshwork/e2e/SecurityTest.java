package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshwork.protocol.mmesh.GetStatusRequest;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.mmesh.ModelStatusInfo;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelStreamInferResponse;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.RepositoryIndexRequest;
import dev.meshwork.security.TokenFile;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh with its front door closed, as a platform team runs it: TLS on REST and gRPC with
 * certificates made by the test, API tokens, JWTs from a JWKS, client certificates, two tenants
 * who share model names and cannot see or call each other's models on any protocol, the audit
 * file, and a certificate rotated under load without a failed request.
 */
class SecurityTest {
    @TempDir
    static Path dir;
    static TestCertificates ca;
    static MeshProcess mesh;
    static RSAKey signer;
    static HttpClient https;
    static ManagedChannel channel;
    static final JsonNode CASE = Fixtures.cases("add-vectors").get(0);

    @BeforeAll
    static void start() throws Exception {
        ca = TestCertificates.authority(dir.resolve("pki"));
        TestCertificates.Issued server = ca.server("server", "meshwork");
        Files.copy(server.certFile(), dir.resolve("tls.crt"));
        Files.copy(server.keyFile(), dir.resolve("tls.key"));
        Files.writeString(dir.resolve("tokens.yaml"), "tokens:\n"
                + entry("a-deploy", "alice", "team-a", "deployer, invoker")
                + entry("a-call", "app-a", "team-a", "invoker")
                + entry("b-deploy", "bob", "team-b", "deployer, invoker")
                + entry("root", "root", "\"*\"", "admin"));
        signer = new RSAKeyGenerator(2048).keyID("test").generate();
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(signer.toPublicJWK()).toString());
        Files.writeString(dir.resolve("clients.yaml"), """
                clients:
                  - {san: svc.team-b.local, principal: svc-b, namespaces: [team-b], roles: [invoker]}
                """);
        Path model = Files.createDirectories(dir.resolve("work")).resolve("adder.onnx");
        Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), model);
        mesh = MeshProcess.start(dir.resolve("work"), "--tls.certFile=" + dir.resolve("tls.crt"), "--tls.keyFile=" + dir.resolve("tls.key"),
                "--tls.clientCaFile=" + ca.ca().certFile(), "--tls.clientAuth=optional", "--tls.reloadMs=100",
                "--auth.tokensFile=" + dir.resolve("tokens.yaml"), "--auth.jwksFile=" + dir.resolve("jwks.json"),
                "--auth.issuer=https://issuer.test", "--auth.audience=meshwork", "--auth.clientsFile=" + dir.resolve("clients.yaml"),
                "--security.auditFile=" + dir.resolve("audit.log"));
        https = HttpClient.newBuilder().sslContext(ca.sslContext(null)).connectTimeout(Duration.ofSeconds(5)).build();
        channel = NettyChannelBuilder.forAddress("localhost", mesh.grpcPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(ca.ca().certificate()).build()).build();
        for (String tenant : List.of("a", "b")) { // both tenants name their model "fraud"
            assertThat(send("PUT", "/v1/mesh/models/fraud", tenant + "-deploy", null,
                    "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + model + "\"}").statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    private static String entry(String token, String principal, String ns, String roles) {
        return "  - {sha256: " + TokenFile.sha256(token) + ", principal: " + principal + ", namespaces: [" + ns + "], roles: [" + roles + "]}\n";
    }

    static HttpResponse<String> send(String method, String path, String token, String namespace, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mesh.http() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (namespace != null) {
            b.header("meshwork-namespace", namespace);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc(String token, String namespace) {
        Metadata m = new Metadata();
        if (token != null) {
            m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        if (namespace != null) {
            m.put(Metadata.Key.of("meshwork-namespace", Metadata.ASCII_STRING_MARSHALLER), namespace);
        }
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Sends {@code request} on one ModelStreamInfer stream with these credentials; its answers, or the stream's error as an exception. */
    static List<ModelStreamInferResponse> stream(String token, String namespace, ModelInferRequest request) throws Exception {
        Metadata m = new Metadata();
        if (token != null) {
            m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        if (namespace != null) {
            m.put(Metadata.Key.of("meshwork-namespace", Metadata.ASCII_STRING_MARSHALLER), namespace);
        }
        List<ModelStreamInferResponse> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();
        var requests = GRPCInferenceServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                .withDeadlineAfter(30, TimeUnit.SECONDS).modelStreamInfer(new io.grpc.stub.StreamObserver<ModelStreamInferResponse>() {
                    @Override
                    public void onNext(ModelStreamInferResponse value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        ended.get(30, TimeUnit.SECONDS);
        return answers;
    }

    static String jwt(String subject, String namespace, String roles, Instant expiry) throws Exception {
        SignedJWT s = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("test").build(), new JWTClaimsSet.Builder()
                .subject(subject).issuer("https://issuer.test").audience("meshwork").expirationTime(Date.from(expiry))
                .claim("namespaces", List.of(namespace)).claim("roles", List.of(roles)).build());
        s.sign(new RSASSASigner(signer));
        return s.serialize();
    }

    @Test
    void healthIsOpenAndEverythingElseNeedsCredentials() throws Exception {
        assertThat(send("GET", "/v2/health/live", null, null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> none = send("POST", "/v2/models/fraud/infer", null, null, Fixtures.v2Body(CASE));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"meshwork\"");
        assertThat(Fixtures.JSON.readTree(none.body()).get("error").asText()).contains("Authorization: Bearer");
        HttpResponse<String> bad = send("GET", "/v1/mesh/models", "s3cr3t-guess", null, null);
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).doesNotContain("s3cr3t-guess");
        assertThatThrownBy(() -> grpc(null, null).modelInfer(Fixtures.typedRequest("fraud", CASE)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(send("GET", "/metrics", null, null, null).statusCode()).isEqualTo(200); // open unless auth.protectMetrics
    }

    @Test
    void tenantsShareNamesButNeitherSeesNorCallsTheOthersModels() throws Exception {
        HttpResponse<String> a = send("POST", "/v2/models/fraud/infer", "a-call", null, Fixtures.v2Body(CASE));
        assertThat(a.statusCode()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(a.body()).get("model_name").asText()).isEqualTo("fraud");
        Fixtures.assertOutputs(Fixtures.JSON.readTree(a.body()).get("outputs"), CASE.get("outputs"));

        HttpResponse<String> cross = send("POST", "/v2/models/fraud/infer", "a-call", "team-b", Fixtures.v2Body(CASE));
        assertThat(cross.statusCode()).isEqualTo(403);
        assertThat(Fixtures.JSON.readTree(cross.body()).get("error").asText())
                .isEqualTo("principal 'app-a' lacks the invoker role in namespace 'team-b' that infer requests need");
        assertThat(send("DELETE", "/v1/mesh/models/fraud", "a-call", null, null).statusCode()).isEqualTo(403); // an invoker deploys nothing

        JsonNode listB = Fixtures.JSON.readTree(send("GET", "/v1/mesh/models", "b-deploy", null, null).body()).get("models");
        assertThat(listB).hasSize(1);
        assertThat(listB.get(0).get("name").asText()).isEqualTo("fraud");
        assertThat(listB.get(0).get("namespace").asText()).isEqualTo("team-b");
        JsonNode listRoot = Fixtures.JSON.readTree(send("GET", "/v1/mesh/models", "root", null, null).body()).get("models");
        assertThat(listRoot.findValuesAsText("namespace")).contains("team-a", "team-b", "default");
        assertThat(send("GET", "/v1/mesh/nodes", "a-deploy", null, null).statusCode()).isEqualTo(403); // the mesh is the admin's
        assertThat(send("GET", "/v1/mesh/nodes", "root", null, null).statusCode()).isEqualTo(200);
        // a model only team-b has is simply not there for team-a: a 404, never a hint
        assertThat(send("PUT", "/v1/mesh/vmodels/fraud-live", "b-deploy", null, "{\"targetModel\": \"fraud\"}").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/v2/models/fraud-live/infer", "a-call", null, Fixtures.v2Body(CASE)).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/v2/models/fraud-live/infer", "b-deploy", null, Fixtures.v2Body(CASE)).statusCode()).isEqualTo(200);

        // gRPC: the same rules
        ModelInferRequest req = Fixtures.typedRequest("fraud", CASE);
        Fixtures.assertOutputs(Fixtures.outputs(grpc("b-deploy", null).modelInfer(req)), CASE.get("outputs"));
        assertThatThrownBy(() -> grpc("a-call", "team-b").modelInfer(req))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        // a stream is one call: its access is checked once, and every request on it is taken in the caller's namespace
        assertThat(stream("b-deploy", null, req)).singleElement().satisfies(streamed -> {
            assertThat(streamed.getErrorMessage()).isEmpty();
            Fixtures.assertOutputs(Fixtures.outputs(streamed.getInferResponse()), CASE.get("outputs"));
        });
        assertThatThrownBy(() -> stream(null, null, req)).hasMessageContaining("UNAUTHENTICATED");
        assertThatThrownBy(() -> stream("a-call", "team-b", req)).hasMessageContaining("PERMISSION_DENIED");
        assertThat(grpc("b-deploy", null).repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModelsList())
                .extracting(m -> m.getName()).containsExactly("fraud");
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer a-deploy");
        var mm = ModelMeshGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
        assertThat(mm.getModelStatus(GetStatusRequest.newBuilder().setModelId("fraud-live").build()).getStatus())
                .isEqualTo(ModelStatusInfo.ModelStatus.NOT_FOUND);
        assertThat(mm.getModelStatus(GetStatusRequest.newBuilder().setModelId("fraud").build()).getStatus())
                .isNotEqualTo(ModelStatusInfo.ModelStatus.NOT_FOUND);
    }

    @Test
    void onlyAnAdminSetsATenantsLimitsAndATenantSeesOnlyItsOwn() throws Exception {
        HttpResponse<String> self = send("PUT", "/v1/mesh/namespaces/team-a", "a-deploy", null, "{\"requestsPerSecond\": 1000000}");
        assertThat(self.statusCode()).isEqualTo(403);
        assertThat(Fixtures.JSON.readTree(self.body()).get("error").asText()).contains("admin");
        HttpResponse<String> admin = send("PUT", "/v1/mesh/namespaces/team-b", "root", null, "{\"maxModels\": 10}");
        assertThat(admin.statusCode()).as(admin.body()).isIn(200, 201);
        JsonNode seen = Fixtures.JSON.readTree(send("GET", "/v1/mesh/namespaces", "a-deploy", null, null).body()).get("namespaces");
        List<String> names = new java.util.ArrayList<>();
        seen.forEach(n -> names.add(n.get("namespace").asText()));
        assertThat(names).containsExactly("team-a");
        assertThat(send("GET", "/v1/mesh/namespaces/team-b", "a-deploy", null, null).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", "/v1/mesh/namespaces/team-b", "a-deploy", null, null).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", "/v1/mesh/namespaces/team-b", "root", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void jwtsAndClientCertificatesAreCredentialsToo() throws Exception {
        assertThat(send("POST", "/v2/models/fraud/infer", jwt("svc-a", "team-a", "invoker", Instant.now().plusSeconds(300)), null,
                Fixtures.v2Body(CASE)).statusCode()).isEqualTo(200);
        HttpResponse<String> expired = send("POST", "/v2/models/fraud/infer", jwt("svc-a", "team-a", "invoker", Instant.now().minusSeconds(600)),
                null, Fixtures.v2Body(CASE));
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("the JWT was refused");

        TestCertificates.Issued client = ca.client("svc-b", "CN=svc-b,O=team-b", "svc.team-b.local");
        HttpClient withCert = HttpClient.newBuilder().sslContext(ca.sslContext(client)).build();
        HttpResponse<String> r = withCert.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v2/models/fraud/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(CASE))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200); // svc-b invokes in team-b, its only namespace
    }

    @Test
    void changesAndRefusalsAreAudited() throws Exception {
        assertThat(send("DELETE", "/v1/mesh/models/fraud", "a-call", null, null).statusCode()).isEqualTo(403);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> lines = Files.readAllLines(dir.resolve("audit.log"));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"principal\":\"alice\"", "\"action\":\"deploy\"",
                    "\"target\":\"PUT fraud\"", "\"outcome\":\"ok\""));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"principal\":\"app-a\"", "\"outcome\":\"refused:no_right\""));
        });
        assertThat(send("GET", "/metrics", null, null, null).body()).contains("meshwork_auth_refusals_total{reason=\"no_right\"}");
    }

    @Test
    void aRenewedCertificateIsServedUnderLoadWithoutAFailedRequest() throws Exception {
        BigInteger before = servedSerial();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Thread load = Thread.ofPlatform().start(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (running.get() && System.nanoTime() < end) {
                try {
                    // a fresh client now and then: new connections handshake with whatever certificate is current
                    HttpClient c = ok.get() % 10 == 0 ? HttpClient.newBuilder().sslContext(ca.sslContext(null)).build() : https;
                    HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v2/models/fraud/infer"))
                            .header("Authorization", "Bearer a-call").POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(CASE))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add(r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= 20);
        TestCertificates.Issued renewed = ca.server("renewed", "meshwork");
        Files.copy(renewed.keyFile(), dir.resolve("tls.key.new"));
        Files.copy(renewed.certFile(), dir.resolve("tls.crt.new"));
        Files.move(dir.resolve("tls.key.new"), dir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("tls.crt.new"), dir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await().atMost(Duration.ofSeconds(20)).until(() -> servedSerial().equals(renewed.certificate().getSerialNumber()));
        int atRotation = ok.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= atRotation + 20);
        running.set(false);
        load.join(30_000);
        assertThat(before).isNotEqualTo(renewed.certificate().getSerialNumber());
        assertThat(failures).isEmpty();
    }

    /** The serial of the certificate a new TLS connection to the REST port is shown. */
    static BigInteger servedSerial() throws Exception {
        SSLContext ctx = ca.sslContext(null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", URI.create(mesh.http()).getPort())) {
            s.setSoTimeout(5000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
