package dev.meshwork.node.storage;

import static dev.meshwork.node.storage.ArtifactStoreTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.ErrorCode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** s3:// artifacts against a real S3-compatible server (S3Proxy, in memory) on loopback. */
class S3StorageTest {
    static final String KEY = "meshwork-test";
    static final String SECRET = "meshwork-secret";
    static final byte[] MODEL = new byte[10_000];
    static S3Proxy proxy;
    static String endpoint;
    @TempDir
    Path cacheDir;

    @BeforeAll
    static void startS3() throws Exception {
        BlobStoreContext blobs = ContextBuilder.newBuilder("transient").credentials(KEY, SECRET).build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> "STARTED".equals(proxy.getState()));
        endpoint = "http://127.0.0.1:" + proxy.getPort();
        for (int i = 0; i < MODEL.length; i++) {
            MODEL[i] = (byte) (i * 7);
        }
        try (S3Client s3 = client(endpoint)) {
            s3.createBucket(b -> b.bucket("models"));
            s3.putObject(p -> p.bucket("models").key("onnx/model.onnx"), RequestBody.fromBytes(MODEL));
            s3.putObject(p -> p.bucket("models").key("tf/saved/saved_model.pb"), RequestBody.fromString("graph"));
            s3.putObject(p -> p.bucket("models").key("tf/saved/variables/variables.index"), RequestBody.fromString("index"));
            s3.putObject(p -> p.bucket("models").key("tf/saved/variables/variables.data-00000-of-00001"), RequestBody.fromBytes(MODEL));
        }
    }

    /** A client of our own to put the fixtures there, the way a user would. */
    static S3Client client(String endpoint) {
        return S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stopS3() throws Exception {
        proxy.stop();
    }

    ArtifactStore store(String endpoint, String key, String secret, long maxArtifact) {
        NodeConfig.S3 s3 = new NodeConfig.S3(endpoint, "us-east-1", key, secret, true);
        return new ArtifactStore(new NodeConfig.Storage(List.of(), maxArtifact, cacheDir.toString(), 1 << 20, 5_000, s3));
    }

    @Test
    void anObjectIsDownloadedOnceAndThenServedFromTheCache() throws Exception {
        try (ArtifactStore store = store(endpoint, KEY, SECRET, 1 << 20)) {
            try (Artifact a = store.open("s3://models/onnx/model.onnx")) {
                assertThat(a.path().getFileName().toString()).isEqualTo("model.onnx");
                assertThat(Files.readAllBytes(a.path())).isEqualTo(MODEL);
            }
        }
        // a store whose endpoint leads nowhere still finds it in the disk cache: no second download
        try (ArtifactStore offline = store("http://127.0.0.1:9", KEY, SECRET, 1 << 20);
             Artifact again = offline.open("s3://models/onnx/model.onnx")) {
            assertThat(Files.readAllBytes(again.path())).isEqualTo(MODEL);
        }
    }

    @Test
    void aPrefixIsDownloadedAsAFolder() throws Exception {
        try (ArtifactStore store = store(endpoint, KEY, SECRET, 1 << 20);
             Artifact a = store.open("s3://models/tf/saved")) {
            assertThat(a.path().getFileName().toString()).isEqualTo("saved");
            assertThat(Files.readString(a.path().resolve("saved_model.pb"))).isEqualTo("graph");
            assertThat(Files.readString(a.path().resolve("variables/variables.index"))).isEqualTo("index");
            assertThat(Files.readAllBytes(a.path().resolve("variables/variables.data-00000-of-00001"))).isEqualTo(MODEL);
        }
    }

    @Test
    void failuresSayWhatHappenedAndLeaveNothingThatLooksComplete() throws Exception {
        try (ArtifactStore store = store(endpoint, KEY, SECRET, 5_000)) {
            assertError(() -> store.open("s3://models/onnx/missing.onnx"), ErrorCode.NOT_FOUND,
                    "no such object, and no objects under onnx/missing.onnx/ in bucket models");
            assertError(() -> store.open("s3://no-such-bucket/model.onnx"), ErrorCode.NOT_FOUND, "S3 answered HTTP 404");
            assertError(() -> store.open("s3://models/onnx/model.onnx"), ErrorCode.INVALID_ARGUMENT,
                    "is at least 10000 bytes, more than the node.storage.maxArtifactBytes limit of 5000");
            assertError(() -> store.open("s3://models/tf/saved"), ErrorCode.INVALID_ARGUMENT, "more than the node.storage.maxArtifactBytes limit of 5000");
            assertError(() -> store.open("s3://Bad_Bucket/x"), ErrorCode.INVALID_ARGUMENT, "'Bad_Bucket' is not an S3 bucket name");
        }
        try (ArtifactStore wrongKey = store(endpoint, KEY, "not-the-secret", 1 << 20)) {
            assertError(() -> wrongKey.open("s3://models/onnx/model.onnx"), ErrorCode.PERMISSION_DENIED, "check node.storage.s3's credentials");
        }
        try (ArtifactStore down = store("http://127.0.0.1:9", KEY, SECRET, 1 << 20)) {
            assertError(() -> down.open("s3://models/onnx/model.onnx"), ErrorCode.UNAVAILABLE, "cannot reach S3 at http://127.0.0.1:9");
        }
        try (Stream<Path> files = Files.walk(cacheDir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void aStorageKeyOfTheMountedStorageConfigSecretNamesTheS3ItReadsFrom(@TempDir Path secret) throws Exception {
        // the Secret as Kubernetes mounts it: each key a symbolic link into a hidden, atomically swapped directory
        Path data = Files.createDirectories(secret.resolve("..2026_11_26_data"));
        Files.writeString(data.resolve("localMinIO"), "{\"type\": \"s3\", \"access_key_id\": \"" + KEY + "\", \"secret_access_key\": \""
                + SECRET + "\", \"endpoint_url\": \"" + endpoint + "\", \"default_bucket\": \"models\", \"region\": \"us-south\"}");
        Files.writeString(data.resolve("wrongKeys"), "{\"type\": \"s3\", \"access_key_id\": \"nobody\", \"secret_access_key\": \"nothing\","
                + " \"endpoint_url\": \"" + endpoint + "\", \"bucket\": \"models\"}");
        Files.writeString(data.resolve("gcs"), "{\"type\": \"gcs\", \"bucket\": \"models\"}");
        Files.createSymbolicLink(secret.resolve("..data"), data.getFileName());
        for (String key : List.of("localMinIO", "wrongKeys", "gcs")) {
            Files.createSymbolicLink(secret.resolve(key), Path.of("..data").resolve(key));
        }
        NodeConfig.Storage config = new NodeConfig.Storage(List.of(), 1 << 20, cacheDir.toString(), 1 << 20, 5_000, NodeConfig.S3.defaults(),
                List.of(), NodeConfig.DownloadLimits.defaults(), secret.toString());
        try (ArtifactStore store = new ArtifactStore(config)) {
            try (Artifact a = store.open("storage://localMinIO/onnx/model.onnx")) {
                assertThat(Files.readAllBytes(a.path())).isEqualTo(MODEL);
            }
            try (Artifact a = store.open("storage://wrongKeys/onnx/model.onnx?bucket=models")) {
                org.assertj.core.api.Assertions.fail("wrong credentials were accepted");
            } catch (dev.meshwork.protocol.error.MeshError e) {
                assertThat(e.getMessage()).doesNotContain("nothing"); // the secret key is never echoed
            }
            assertError(() -> store.open("storage://missingKey/onnx/model.onnx"), ErrorCode.NOT_FOUND,
                    "storage key 'missingKey' is not in the storage-config Secret");
            assertError(() -> store.open("storage://..data/localMinIO"), ErrorCode.INVALID_ARGUMENT, "names no valid storage key");
            assertError(() -> store.open("storage://gcs/onnx/model.onnx"), ErrorCode.UNIMPLEMENTED, "of type 'gcs'");
        }
        try (ArtifactStore none = store(endpoint, KEY, SECRET, 1 << 20)) {
            assertError(() -> none.open("storage://localMinIO/onnx/model.onnx"), ErrorCode.NOT_FOUND, "this node has no storage keys");
        }
    }

    @Test
    void hostileStorageKeysAndEntriesAreRefusedWithoutEchoingTheSecret(@TempDir Path secret) throws Exception {
        Files.writeString(secret.resolve("broken"), "{\"type\": \"s3\", \"secret_access_key\": \"s3cr3t-value\", ");
        Files.writeString(secret.resolve("list"), "[\"s3\"]");
        Files.write(secret.resolve("huge"), new byte[(64 << 10) + 1]);
        Files.writeString(secret.resolve("nobucket"), "{\"type\": \"s3\", \"endpoint_url\": \"" + endpoint + "\"}");
        NodeConfig.Storage config = new NodeConfig.Storage(List.of(), 1 << 20, cacheDir.toString(), 1 << 20, 5_000, NodeConfig.S3.defaults(),
                List.of(), NodeConfig.DownloadLimits.defaults(), secret.toString());
        try (ArtifactStore store = new ArtifactStore(config)) {
            assertError(() -> store.open("storage://broken/onnx/model.onnx"), ErrorCode.INVALID_ARGUMENT, "cannot be read as JSON");
            try {
                store.open("storage://broken/onnx/model.onnx").close();
            } catch (dev.meshwork.protocol.error.MeshError e) {
                assertThat(e.getMessage()).doesNotContain("s3cr3t-value");
            }
            assertError(() -> store.open("storage://list/onnx/model.onnx"), ErrorCode.INVALID_ARGUMENT, "does not hold a JSON object");
            assertError(() -> store.open("storage://huge/onnx/model.onnx"), ErrorCode.INVALID_ARGUMENT, "is not a storage-config entry");
            assertError(() -> store.open("storage://nobucket/onnx/model.onnx"), ErrorCode.INVALID_ARGUMENT, "names no bucket");
            assertError(() -> store.open("storage://nobucket/"), ErrorCode.INVALID_ARGUMENT, "names no path");
            assertError(() -> store.open("storage://a b/model.onnx"), ErrorCode.INVALID_ARGUMENT, "not a valid storage://<key>/<path> URI");
            assertError(() -> store.open("storage:///model.onnx"), ErrorCode.INVALID_ARGUMENT, "names no valid storage key");
        }
    }
}
