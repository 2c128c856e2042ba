package dev.meshwork.node.storage;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every puller does with a stream: copy it to a file without passing the size limit. */
final class Downloads {
    private Downloads() {
    }

    /**
     * Copies {@code in} to {@code file} under {@code watch} (a stall or the deadline ends it with a
     * message that says which); throws once more than {@code budget} bytes came; counts the bytes into
     * {@code progress} as they come. Returns the bytes copied.
     */
    static long copy(InputStream in, Path file, String uri, long budget, long maxBytes, DownloadWatch watch, DownloadProgress progress)
            throws IOException {
        long copied = 0;
        byte[] buf = new byte[64 * 1024];
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); DownloadWatch.Ticket ticket = watch.start(uri, in)) {
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    ticket.progress();
                    copied += n;
                    if (copied > budget) {
                        throw tooLarge(uri, maxBytes - budget + copied, maxBytes);
                    }
                    out.write(buf, 0, n);
                    progress.add(n);
                }
            } catch (IOException e) {
                MeshError watched = ticket.failure();
                if (watched != null) {
                    throw watched;
                }
                throw e;
            }
            MeshError watched = ticket.failure(); // a closed stream may also just end
            if (watched != null) {
                throw watched;
            }
        }
        return copied;
    }

    static MeshError tooLarge(String uri, long bytes, long max) {
        return new MeshError(ErrorCode.INVALID_ARGUMENT, "storageUri " + ModelSpec.redactUri(uri) + " is at least " + bytes
                + " bytes, more than the node.storage.maxArtifactBytes limit of " + max);
    }
}
