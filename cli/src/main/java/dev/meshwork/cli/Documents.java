package dev.meshwork.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.meshwork.client.MeshApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code register -f} reads, as {@code kubectl apply -f} does: a file of Meshwork's JSON
 * registration or of KServe InferenceServices (YAML, several separated by {@code ---}), or a
 * directory of such files ({@code *.json}, {@code *.yaml}, {@code *.yml}; its folders too with {@code -R};
 * a directory's files that are neither, with no {@code modelFormat} nor {@code kind}, are passed over). Each
 * document is sent as it is, named by its {@code metadata.name}, its {@code name}, or its file; a
 * relative local {@code storageUri} is taken relative to the file.
 */
final class Documents {
    /** The most bytes one file may hold. */
    static final long MAX_FILE = 4 << 20;

    /** One registration to send: the model's name, the body, its content type and where it came from. */
    record Document(String name, String body, String contentType, String source, boolean registration) {
    }

    private Documents() {
    }

    static List<Document> read(Path path, boolean recursive) {
        if (Files.isDirectory(path)) {
            List<Document> out = new ArrayList<>();
            try (Stream<Path> files = recursive ? Files.walk(path, 16) : Files.list(path)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().matches(".*\\.(json|ya?ml)$")).sorted().toList()) {
                    // a directory's other JSON and YAML (expected outputs, signatures) is not for the mesh
                    out.addAll(read(f, false).stream().filter(Document::registration).toList());
                }
            } catch (IOException e) {
                throw new CliFailure(2, "cannot read the directory " + path + ": " + e.getMessage());
            }
            return out;
        }
        try {
            if (Files.size(path) > MAX_FILE) {
                throw new CliFailure(2, path + " is larger than " + MAX_FILE + " bytes; a registration document is small");
            }
            return read(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliFailure(2, "cannot read " + path + ": " + e.getMessage());
        }
    }

    /**
     * A relative local storageUri ({@code model.onnx}, {@code ./iris}) is the file's neighbour, as
     * {@code ./meshwork up} reads the example documents: it becomes an absolute path, which the
     * router's node must be able to read (the same machine or a shared volume).
     */
    private static void resolveRelative(com.fasterxml.jackson.databind.node.ObjectNode doc, Path folder) {
        resolve(doc, folder);
        JsonNode predictor = doc.path("spec").path("predictor");
        if (predictor.isObject()) {
            predictor.fields().forEachRemaining(e -> {
                if (e.getValue().isObject()) {
                    resolve((com.fasterxml.jackson.databind.node.ObjectNode) e.getValue(), folder);
                }
            });
        }
    }

    private static void resolve(com.fasterxml.jackson.databind.node.ObjectNode holder, Path folder) {
        String uri = holder.path("storageUri").asText("");
        if (!uri.isEmpty() && !uri.contains("://") && !Path.of(uri).isAbsolute()) {
            holder.put("storageUri", folder.resolve(uri).normalize().toString());
        }
    }

    static String stdin() {
        try {
            return new String(System.in.readNBytes((int) MAX_FILE), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliFailure(2, "cannot read standard input: " + e.getMessage());
        }
    }

    static List<Document> read(String source, String text) {
        List<Document> out = new ArrayList<>();
        String fileStem = Path.of(source).getFileName().toString().replaceFirst("(\\.model)?\\.(json|ya?ml)$", "");
        try (MappingIterator<JsonNode> docs = Connection.YAML.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                    continue; // an empty document between two ---
                }
                if (!doc.isObject()) {
                    throw new CliFailure(2, source + ": a document is not a mapping");
                }
                String name = doc.path("metadata").path("name").asText(doc.path("name").asText(fileStem));
                Path folder = Path.of(source).toAbsolutePath().getParent();
                if (folder != null && !source.equals("standard input")) {
                    resolveRelative((com.fasterxml.jackson.databind.node.ObjectNode) doc, folder);
                }
                out.add(new Document(name, MeshApi.JSON.writeValueAsString(doc), "application/json", source,
                        doc.has("modelFormat") || doc.has("kind")));
            }
        } catch (JsonProcessingException e) {
            throw new CliFailure(2, source + ": not JSON or YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CliFailure(2, source + ": " + e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof CliFailure) {
                throw e;
            }
            // a MappingIterator reports a document that breaks off in the middle unchecked, around the parser's error
            String why = e.getCause() instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new CliFailure(2, source + ": not JSON or YAML: " + why);
        }
        return out;
    }
}
