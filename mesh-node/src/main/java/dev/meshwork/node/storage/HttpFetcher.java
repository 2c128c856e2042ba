package dev.meshwork.node.storage;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Downloads one http(s) artifact into a file, never past the size limit, under a temporary name
 * renamed into place only once complete. Thread-safe (the JDK client is); runs on load threads.
 */
final class HttpFetcher {
    private final HttpClient client;
    private final Duration timeout;
    private final DownloadWatch watch;

    HttpFetcher(Duration timeout, DownloadWatch watch) {
        this.timeout = timeout;
        this.watch = watch;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Downloads {@code uri} to {@code target}, complete or not at all. */
    void fetch(String uri, Path target, long maxBytes, DownloadProgress progress) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).timeout(timeout).GET().build();
        Path partial = target.resolveSibling(target.getFileName() + DiskCache.PARTIAL);
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                int status = response.statusCode();
                if (status >= 300 && status < 400) {
                    // a redirect could send the node to any host (or back to itself): the registration names the artifact's real URL
                    throw new MeshError(ErrorCode.INVALID_ARGUMENT, "storageUri " + ModelSpec.redactUri(uri) + ": the server answered HTTP "
                            + status + ", a redirect to " + ModelSpec.redactUri(response.headers().firstValue("Location").orElse("nowhere"))
                            + "; Meshwork follows no redirects, so register the URL the artifact is at");
                }
                if (status == 404 || status == 410) {
                    throw new MeshError(ErrorCode.NOT_FOUND, "storageUri " + ModelSpec.redactUri(uri) + ": the server answered HTTP " + status + " (no such artifact)");
                }
                if (status / 100 != 2) {
                    throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + ModelSpec.redactUri(uri) + ": the server answered HTTP " + status);
                }
                long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > maxBytes) {
                    throw Downloads.tooLarge(uri, declared, maxBytes);
                }
                progress.expect(declared);
                long copied = Downloads.copy(in, partial, uri, maxBytes, maxBytes, watch, progress);
                if (declared >= 0 && copied != declared) {
                    throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + ModelSpec.redactUri(uri) + ": the download ended after " + copied
                            + " of " + declared + " bytes");
                }
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (HttpTimeoutException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + ModelSpec.redactUri(uri) + ": no answer within " + timeout.toMillis() + " ms (node.storage.httpTimeoutMs)", e);
        } catch (IOException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + ModelSpec.redactUri(uri) + ": download failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + ModelSpec.redactUri(uri) + ": download interrupted", e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // removed at the next start
            }
        }
    }
}
