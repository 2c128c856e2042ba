package dev.meshwork.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artifact resolution against a real HTTP server on loopback and real files. */
class ArtifactStoreTest {
    static final byte[] MODEL = new byte[10_000];
    @TempDir
    Path root;
    @TempDir
    Path cacheDir;
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        for (int i = 0; i < MODEL.length; i++) {
            MODEL[i] = (byte) i;
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/redirect/", ex -> {
            requests.incrementAndGet();
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/models/", ex -> {
            requests.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            try (OutputStream out = ex.getResponseBody()) {
                if (path.endsWith("/missing.onnx")) {
                    ex.sendResponseHeaders(404, -1);
                } else if (path.endsWith("/truncated.onnx")) {
                    ex.sendResponseHeaders(200, MODEL.length);
                    out.write(MODEL, 0, 1000); // then the connection closes early
                } else if (path.endsWith("/unsized.onnx")) {
                    ex.sendResponseHeaders(200, 0); // chunked: no length up front
                    out.write(MODEL);
                } else {
                    ex.sendResponseHeaders(200, MODEL.length);
                    out.write(MODEL);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/models/" + name;
    }

    ArtifactStore store(long maxArtifact, long cacheMax) {
        return new ArtifactStore(new NodeConfig.Storage(List.of(root.toString()), maxArtifact, cacheDir.toString(), cacheMax, 5_000, null));
    }

    static void assertError(Runnable r, ErrorCode code, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(message);
    }

    long completeFilesInCache() throws Exception {
        try (Stream<Path> files = Files.walk(cacheDir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".sha256")).count(); // digests are not artifacts
        }
    }

    @Test
    void anHttpArtifactIsDownloadedOnceAndThenServedFromTheCache() throws Exception {
        ArtifactStore store = store(1 << 20, 1 << 20);
        try (Artifact a = store.open(url("a/model.onnx"))) {
            assertThat(a.path().getFileName().toString()).isEqualTo("model.onnx");
            assertThat(Files.readAllBytes(a.path())).isEqualTo(MODEL);
        }
        try (Artifact again = store.open(url("a/model.onnx"))) {
            assertThat(Files.readAllBytes(again.path())).isEqualTo(MODEL);
        }
        assertThat(requests).hasValue(1);
        // a new store over the same folder (a restarted node) finds it too
        try (Artifact afterRestart = store(1 << 20, 1 << 20).open(url("a/model.onnx"))) {
            assertThat(afterRestart.path()).exists();
        }
        assertThat(requests).hasValue(1);
    }

    @Test
    void downloadFailuresSayWhatHappenedAndLeaveNothingThatLooksComplete() throws Exception {
        ArtifactStore store = store(5_000, 1 << 20);
        assertError(() -> store.open(url("missing.onnx")), ErrorCode.NOT_FOUND, "the server answered HTTP 404");
        assertError(() -> store.open(url("big.onnx")), ErrorCode.INVALID_ARGUMENT,
                "is at least 10000 bytes, more than the node.storage.maxArtifactBytes limit of 5000");
        assertError(() -> store.open(url("unsized.onnx")), ErrorCode.INVALID_ARGUMENT, "more than the node.storage.maxArtifactBytes limit of 5000");
        ArtifactStore roomy = store(1 << 20, 1 << 20);
        assertError(() -> roomy.open(url("truncated.onnx")), ErrorCode.UNAVAILABLE, "truncated.onnx");
        assertThat(completeFilesInCache()).isZero();
    }

    /** The disk cache orders artifacts by their files' modification times, in milliseconds: let the clock tick. */
    private static void nextMillisecond() {
        long now = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(1)).until(() -> System.currentTimeMillis() > now + 1);
    }

    @Test
    void theCacheDropsTheLeastRecentlyUsedArtifactButNeverOneInUse() throws Exception {
        ArtifactStore store = store(1 << 20, 25_000); // room for two 10,000-byte artifacts
        Artifact pinned = store.open(url("a/model.onnx"));
        nextMillisecond();
        store.open(url("b/model.onnx")).close();
        nextMillisecond();
        store.open(url("c/model.onnx")).close();
        assertThat(pinned.path()).exists(); // a is the oldest, but a load holds it
        assertThat(completeFilesInCache()).isEqualTo(2);
        pinned.close();
        nextMillisecond();
        store.open(url("d/model.onnx")).close();
        assertThat(pinned.path()).doesNotExist(); // now it is the least recently used and free
        assertThat(completeFilesInCache()).isEqualTo(2);
    }

    @Test
    void localPathsAreConfinedToTheRoots(@TempDir Path outside) throws Exception {
        ArtifactStore store = store(1 << 20, 1 << 20);
        Path inside = Files.write(root.resolve("model.onnx"), MODEL);
        try (Artifact a = store.open("file://" + inside)) {
            assertThat(a.path()).isEqualTo(inside.toRealPath());
        }
        try (Artifact a = store.open(inside.toString())) {
            assertThat(a.path()).isEqualTo(inside.toRealPath());
        }
        Path secret = Files.write(outside.resolve("secret.onnx"), MODEL);
        assertError(() -> store.open(secret.toString()), ErrorCode.PERMISSION_DENIED, "outside the storage roots");
        assertError(() -> store.open(root + "/../" + outside.getFileName() + "/secret.onnx"), ErrorCode.PERMISSION_DENIED, "outside the storage roots");
        assertError(() -> store.open(outside.resolve("does-not-exist.onnx").toString()), ErrorCode.PERMISSION_DENIED, "outside the storage roots");
        Path link = Files.createSymbolicLink(root.resolve("link.onnx"), secret);
        assertError(() -> store.open(link.toString()), ErrorCode.PERMISSION_DENIED, "outside the storage roots");
        assertError(() -> store.open(root.resolve("nope.onnx").toString()), ErrorCode.NOT_FOUND, "no such file or directory");
        Files.write(root.resolve("big.onnx"), new byte[3 << 20]);
        assertError(() -> store.open(root.resolve("big.onnx").toString()), ErrorCode.INVALID_ARGUMENT, "maxArtifactBytes");
    }

    @Test
    void aRootThatIsASymbolicLinkWorksUnderEitherName(@TempDir Path elsewhere) throws Exception {
        Path real = Files.createDirectories(elsewhere.resolve("real"));
        Path linkRoot = Files.createSymbolicLink(elsewhere.resolve("models"), real);
        Files.write(real.resolve("model.onnx"), MODEL);
        ArtifactStore store = new ArtifactStore(new NodeConfig.Storage(List.of(linkRoot.toString()), 1 << 20, cacheDir.toString(), 1 << 20, 5_000, null));
        try (Artifact a = store.open(linkRoot.resolve("model.onnx").toString())) {
            assertThat(Files.readAllBytes(a.path())).isEqualTo(MODEL);
        }
        try (Artifact a = store.open(real.resolve("model.onnx").toString())) {
            assertThat(a.path()).isEqualTo(real.resolve("model.onnx").toRealPath());
        }
    }

    @Test
    void schemesThatCannotWorkHereAreRefusedAtOnce() {
        ArtifactStore store = store(1 << 20, 1 << 20);
        assertError(() -> store.open("gs://bucket/model.onnx"), ErrorCode.UNIMPLEMENTED, "not supported here");
        assertError(() -> store.open("hf://org/model"), ErrorCode.UNIMPLEMENTED, "not supported here");
        assertError(() -> store.open("ftp://host/model.onnx"), ErrorCode.INVALID_ARGUMENT, "unknown scheme 'ftp'");
    }

    @Test
    void redirectsAreNeverFollowed() {
        ArtifactStore store = store(1 << 20, 1 << 20);
        String redirect = "http://127.0.0.1:" + server.getAddress().getPort() + "/redirect/model.onnx";
        assertError(() -> store.open(redirect), ErrorCode.INVALID_ARGUMENT, "a redirect to http://169.254.169.254/latest/meta-data/; Meshwork follows no redirects");
        assertThat(requests).hasValue(1);
    }

    @Test
    void allowedHostsConfineWhereANodeFetchesFrom() throws Exception {
        ArtifactStore confined = new ArtifactStore(new NodeConfig.Storage(List.of(root.toString()), 1 << 20, cacheDir.toString(), 1 << 20,
                5_000, null, List.of("models.example"), null));
        assertError(() -> confined.open(url("a.onnx")), ErrorCode.PERMISSION_DENIED, "names host '127.0.0.1', which is not in node.storage.allowedHosts [models.example]");
        assertThat(requests).hasValue(0);
        ArtifactStore open = new ArtifactStore(new NodeConfig.Storage(List.of(root.toString()), 1 << 20, cacheDir.toString(), 1 << 20,
                5_000, null, List.of("127.0.0.1"), null));
        try (Artifact a = open.open(url("a.onnx"))) {
            assertThat(Files.size(a.path())).isEqualTo(MODEL.length);
        }
    }

    @Test
    void theCacheIsPrivateToThisUser(@TempDir Path dir) throws Exception {
        Path open = Files.createDirectories(dir.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        new ArtifactStore(new NodeConfig.Storage(List.of(root.toString()), 1 << 20, open.toString(), 1 << 20, 5_000, null)).close();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(open))).isEqualTo("rwx------");

        // a directory of another user: seen as that user would see ours (giving one away needs root)
        Path ours = Files.createDirectories(dir.resolve("ours"));
        var nobody = ours.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        assertThatThrownBy(() -> DiskCache.makePrivate(ours, nobody)).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED)).hasMessageContaining("not to nobody");
        Path link = Files.createSymbolicLink(dir.resolve("link"), ours);
        assertError(() -> new ArtifactStore(new NodeConfig.Storage(List.of(root.toString()), 1 << 20, link.toString(), 1 << 20, 5_000, null)),
                ErrorCode.PERMISSION_DENIED, "or is a symbolic link");
    }

    @Test
    void aCachedArtifactThatChangedIsDownloadedAgain() throws Exception {
        try (ArtifactStore first = store(1 << 20, 1 << 20); Artifact a = first.open(url("a.onnx"))) {
            assertThat(Files.readAllBytes(a.path())).isEqualTo(MODEL);
            byte[] tampered = MODEL.clone();
            tampered[7] ^= 0x55; // same size, other bytes: what a planted model would look like
            Files.write(a.path(), tampered);
        }
        assertThat(requests).hasValue(1);
        try (ArtifactStore restarted = store(1 << 20, 1 << 20); Artifact again = restarted.open(url("a.onnx"))) {
            assertThat(Files.readAllBytes(again.path())).as("the tampered copy is replaced by a fresh download").isEqualTo(MODEL);
        }
        assertThat(requests).hasValue(2);
        try (ArtifactStore restarted = store(1 << 20, 1 << 20); Artifact third = restarted.open(url("a.onnx"))) {
            assertThat(Files.readAllBytes(third.path())).isEqualTo(MODEL);
        }
        assertThat(requests).as("an intact entry is served from the cache").hasValue(2);
    }

    static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aPinnedDigestAdmitsOnlyThoseBytesAndTheCopyReportsWhatItRead() throws Exception {
        Path file = Files.write(root.resolve("m.onnx"), MODEL);
        ArtifactStore store = store(1 << 20, 1 << 20);
        String good = sha256(MODEL);
        try (Artifact a = store.open(file + "#sha256=" + good)) {
            assertThat(a.path()).isEqualTo(file.toRealPath());
            assertThat(a.digest()).isEqualTo("sha256:" + good);
        }
        try (Artifact unpinned = store.open(file.toString())) {
            assertThat(unpinned.digest()).as("reported without a pin too").isEqualTo("sha256:" + good);
        }
        String other = "0".repeat(64);
        assertError(() -> store.open(file + "#sha256=" + other), ErrorCode.PRECONDITION_FAILED,
                "has digest sha256:" + good + ", not the sha256:" + other + " its storageUri pins");
    }

    @Test
    void aDownloadThatIsNotThePinnedBytesIsRefusedAndFetchedAgainAtTheNextTry() throws Exception {
        ArtifactStore store = store(1 << 20, 1 << 20);
        byte[] expected = MODEL.clone();
        expected[0] = 42; // the server serves MODEL: other bytes than the ones pinned
        String wrongPin = sha256(expected);
        assertError(() -> store.open(url("p.onnx") + "#sha256=" + wrongPin), ErrorCode.PRECONDITION_FAILED, "its storageUri pins");
        assertThat(completeFilesInCache()).as("the refused download is not kept").isZero();
        try (Artifact a = store.open(url("p.onnx") + "#sha256=" + sha256(MODEL))) {
            assertThat(a.digest()).isEqualTo("sha256:" + sha256(MODEL));
        }
        assertThat(requests).as("fetched again, then admitted").hasValue(2);
    }
}
