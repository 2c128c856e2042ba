package dev.meshwork.node.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * KServe's storage keys: {@code storage://<key>/<path>[?bucket=<bucket>]} names an object in the
 * storage that entry {@code <key>} of the {@code storage-config} Secret describes, the Secret being
 * mounted as {@code node.storage.keysDir} (one file per key holding
 * {@code {"type": "s3", "access_key_id", "secret_access_key", "endpoint_url", "region", "bucket" or
 * "default_bucket"}}). An entry is read at each use, so a changed Secret counts from the next load
 * on. Only S3 storage is served. Stateless; any thread.
 */
final class StorageKeys {
    static final String SCHEME = "storage";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    private static final long MAX_ENTRY_BYTES = 64 << 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String dir;

    /** Where an artifact of a storage key is: the S3 storage and the {@code s3://bucket/path} within it. */
    record Resolved(NodeConfig.S3 s3, String s3Uri) {
    }

    StorageKeys(String dir) {
        this.dir = dir;
    }

    Resolved resolve(String storageUri) {
        URI uri;
        try {
            uri = new URI(storageUri);
        } catch (java.net.URISyntaxException e) {
            throw MeshError.invalid("storageUri %s is not a valid storage://<key>/<path> URI: %s", storageUri, e.getReason());
        }
        String key = uri.getAuthority();
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (key == null || !KEY.matcher(key).matches()) {
            throw MeshError.invalid("storageUri %s names no valid storage key (storage://<key>/<path>)", storageUri);
        }
        if (path.isEmpty()) {
            throw MeshError.invalid("storageUri %s names no path within storage '%s'", storageUri, key);
        }
        JsonNode entry = entry(storageUri, key);
        String type = entry.path("type").asText();
        if (!type.equals("s3")) {
            throw new MeshError(ErrorCode.UNIMPLEMENTED, MeshError.format("storage '%s' is of type '%s'; this mesh reads storage keys of type s3",
                    key, type));
        }
        String bucket = bucketParameter(uri.getRawQuery());
        if (bucket.isEmpty()) {
            bucket = text(entry, "bucket", text(entry, "default_bucket", ""));
        }
        if (bucket.isEmpty()) {
            throw MeshError.invalid("storage '%s' names no bucket (\"bucket\" or \"default_bucket\"), and %s gives none (?bucket=)", key, storageUri);
        }
        NodeConfig.S3 s3 = new NodeConfig.S3(text(entry, "endpoint_url", ""), text(entry, "region", "us-east-1"),
                text(entry, "access_key_id", text(entry, "access_key", "")), text(entry, "secret_access_key", ""), true);
        return new Resolved(s3, "s3://" + bucket + "/" + path);
    }

    private JsonNode entry(String storageUri, String key) {
        if (dir.isEmpty()) {
            throw new MeshError(ErrorCode.NOT_FOUND, MeshError.format(
                    "storageUri %s names storage key '%s', but this node has no storage keys (node.storage.keysDir: the storage-config Secret)",
                    storageUri, key));
        }
        try {
            Path base = Path.of(dir).toRealPath();
            Path file = base.resolve(key);
            if (!Files.isRegularFile(file) || !file.toRealPath().startsWith(base.toRealPath())) {
                throw new MeshError(ErrorCode.NOT_FOUND, MeshError.format("storage key '%s' is not in the storage-config Secret (%s)", key, dir));
            }
            if (Files.size(file) > MAX_ENTRY_BYTES) {
                throw MeshError.invalid("storage key '%s' holds more than %d bytes; it is not a storage-config entry", key, MAX_ENTRY_BYTES);
            }
            JsonNode entry = JSON.readTree(Files.readAllBytes(file));
            if (entry == null || !entry.isObject()) {
                throw MeshError.invalid("storage key '%s' does not hold a JSON object", key);
            }
            return entry;
        } catch (IOException e) {
            // the message of a parse error quotes the entry, which holds a secret key: say where, not what
            throw MeshError.invalid("storage key '%s' cannot be read as JSON (%s)", key, e.getClass().getSimpleName());
        }
    }

    private static String bucketParameter(String rawQuery) {
        if (rawQuery == null) {
            return "";
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("bucket=")) {
                return URLDecoder.decode(pair.substring("bucket=".length()), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static String text(JsonNode entry, String field, String otherwise) {
        JsonNode v = entry.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? otherwise : v.asText();
    }
}
