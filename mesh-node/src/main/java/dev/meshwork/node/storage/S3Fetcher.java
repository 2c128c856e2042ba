package dev.meshwork.node.storage;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Downloads an {@code s3://bucket/key} artifact with the AWS SDK: one object, or every object under
 * {@code key/} as a folder (a SavedModel). Written under a temporary name and renamed into place
 * once complete, never past the size limit. The client is built on first use, so a node that never
 * sees s3:// pays nothing. Thread-safe (the SDK client is); runs on load threads.
 */
final class S3Fetcher implements AutoCloseable {
    /** More objects than this under one prefix is not a model. */
    static final int MAX_OBJECTS = 10_000;
    private final NodeConfig.S3 config;
    private final Duration timeout;
    private volatile S3Client client;
    private final DownloadWatch watch;

    S3Fetcher(NodeConfig.S3 config, Duration timeout, DownloadWatch watch) {
        this.watch = watch;
        this.config = config;
        this.timeout = timeout;
    }

    private S3Client client() {
        S3Client c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = build();
                }
                c = client;
            }
        }
        return c;
    }

    private S3Client build() {
        var b = S3Client.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(credentials())
                // The SDK's newer flexible checksums are not spoken by every S3-compatible server; the
                // size check and TLS guard a download, as they do for http(s).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout));
        if (!config.endpoint().isEmpty()) {
            b.endpointOverride(URI.create(config.endpoint()));
        }
        return b.build();
    }

    /** Configured keys, else the standard environment variables, else anonymous; never the instance metadata service. */
    private AwsCredentialsProvider credentials() {
        if (!config.accessKeyId().isEmpty()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey()));
        }
        if (System.getenv("AWS_ACCESS_KEY_ID") != null) {
            return EnvironmentVariableCredentialsProvider.create();
        }
        return AnonymousCredentialsProvider.create();
    }

    /** Downloads {@code uri} to {@code target} (a file or a folder), complete or not at all. */
    void fetch(String uri, Path target, long maxBytes, DownloadProgress progress) {
        Location loc = Location.parse(uri);
        Path partial = target.resolveSibling(target.getFileName() + DiskCache.PARTIAL);
        try {
            HeadObjectResponse single = loc.key().isEmpty() || loc.key().endsWith("/") ? null : head(loc);
            if (single != null) {
                if (single.contentLength() > maxBytes) {
                    throw Downloads.tooLarge(uri, single.contentLength(), maxBytes);
                }
                progress.expect(single.contentLength());
                get(uri, loc.bucket(), loc.key(), partial, maxBytes, maxBytes, progress);
            } else {
                fetchFolder(uri, loc, partial, maxBytes, progress);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (S3Exception e) {
            throw translate(uri, e);
        } catch (SdkException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + uri + ": cannot reach S3"
                    + (config.endpoint().isEmpty() ? "" : " at " + config.endpoint()) + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + uri + ": download failed: " + e.getMessage(), e);
        } finally {
            DiskCache.deleteTree(partial);
        }
    }

    private HeadObjectResponse head(Location loc) {
        try {
            return client().headObject(r -> r.bucket(loc.bucket()).key(loc.key()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null; // perhaps a folder
            }
            throw e;
        }
    }

    private void fetchFolder(String uri, Location loc, Path partialDir, long maxBytes, DownloadProgress progress) throws IOException {
        String prefix = loc.key().isEmpty() || loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
        List<S3Object> objects = new ArrayList<>();
        long total = 0;
        for (S3Object o : client().listObjectsV2Paginator(r -> r.bucket(loc.bucket()).prefix(prefix)).contents()) {
            if (o.key().endsWith("/")) {
                continue; // a folder marker
            }
            if (objects.size() == MAX_OBJECTS) {
                throw MeshError.invalid("storageUri %s holds more than %d objects; point it at one model", uri, MAX_OBJECTS);
            }
            total += o.size();
            if (total > maxBytes) {
                throw Downloads.tooLarge(uri, total, maxBytes);
            }
            objects.add(o);
        }
        if (objects.isEmpty()) {
            throw new MeshError(ErrorCode.NOT_FOUND, "storageUri " + uri + ": no such object, and no objects under " + prefix
                    + " in bucket " + loc.bucket());
        }
        Files.createDirectories(partialDir);
        progress.expect(total);
        long budget = maxBytes;
        for (S3Object o : objects) {
            Path file = partialDir.resolve(o.key().substring(prefix.length())).normalize();
            if (!file.startsWith(partialDir) || file.equals(partialDir)) {
                throw MeshError.invalid("storageUri %s: object key %s would land outside the artifact's folder", uri, o.key());
            }
            budget -= get(uri, loc.bucket(), o.key(), file, budget, maxBytes, progress);
        }
    }

    private long get(String uri, String bucket, String key, Path file, long budget, long maxBytes, DownloadProgress progress)
            throws IOException {
        try (InputStream in = client().getObject(r -> r.bucket(bucket).key(key))) {
            return Downloads.copy(in, file, uri, budget, maxBytes, watch, progress);
        }
    }

    private MeshError translate(String uri, S3Exception e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        String what = "storageUri " + uri + ": S3 answered HTTP " + e.statusCode() + (code == null || code.isEmpty() ? "" : " " + code);
        return switch (e.statusCode()) {
            case 404 -> new MeshError(ErrorCode.NOT_FOUND, what + " (no such bucket or object)", e);
            case 401, 403 -> new MeshError(ErrorCode.PERMISSION_DENIED, what + " (access denied; check node.storage.s3's credentials)", e);
            default -> new MeshError(ErrorCode.UNAVAILABLE, what, e);
        };
    }

    @Override
    public void close() {
        S3Client c = client;
        if (c != null) {
            c.close();
        }
    }

    /** A parsed {@code s3://bucket/key}. */
    record Location(String bucket, String key) {
        static Location parse(String uri) {
            String rest = uri.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String key = slash < 0 ? "" : rest.substring(slash + 1);
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,62}")) {
                throw MeshError.invalid("storageUri %s: '%s' is not an S3 bucket name", uri, bucket);
            }
            return new Location(bucket, key);
        }
    }
}
