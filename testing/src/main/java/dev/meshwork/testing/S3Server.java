package dev.meshwork.testing;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3-compatible server (S3Proxy over an in-memory store) on a free loopback port, and a client to fill it. */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "meshwork-e2e";
    public static final String SECRET_KEY = "meshwork-e2e-secret";
    private final S3Proxy proxy;
    private final S3Client client;

    private S3Server(S3Proxy proxy) {
        this.proxy = proxy;
        this.client = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public static S3Server start() {
        try {
            BlobStoreContext blobs = ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY, SECRET_KEY).build(BlobStoreContext.class);
            S3Proxy proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
            proxy.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> "STARTED".equals(proxy.getState()));
            return new S3Server(proxy);
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The flags that point a mesh at this server. */
    public String[] meshFlags() {
        return new String[]{"--node.storage.s3.endpoint=" + endpoint(), "--node.storage.s3.accessKeyId=" + ACCESS_KEY,
                "--node.storage.s3.secretAccessKey=" + SECRET_KEY};
    }

    public void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    /** Uploads a file as {@code key}, or a folder's files under {@code key/}. */
    public void upload(String bucket, String key, Path from) throws Exception {
        if (!Files.isDirectory(from)) {
            client.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromFile(from));
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = from.relativize(f).toString().replace('\\', '/');
                client.putObject(p -> p.bucket(bucket).key(key + "/" + rel), RequestBody.fromFile(f));
            }
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }
}
