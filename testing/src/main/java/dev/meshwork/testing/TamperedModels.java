package dev.meshwork.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Tampered tree models made at test time from the committed example models, so that no crashing
 * bytes are committed: each is one small change of the kind an attacker or a bad copy makes, and
 * the ones marked {@code crashes} were seen to abort or crash the process when the runtime's native
 * parser reads them unchecked. Each knows what the model-file check says about it. Stateless.
 */
public final class TamperedModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One tampered model.
     *
     * @param name    a model name for it
     * @param format  its model format (the runtime that reads it)
     * @param file    the file name the runtime looks for
     * @param bytes   its content
     * @param refusal what the model-file check says (a fragment of the message)
     * @param crashes whether the native parser was seen to kill the process on it
     */
    public record Tampered(String name, String format, String file, byte[] bytes, String refusal, boolean crashes) {
        /** Writes it as {@code dir/name/file} and returns that path. */
        public Path writeUnder(Path dir) {
            try {
                Path out = Files.createDirectories(dir.resolve(name)).resolve(file);
                return Files.write(out, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TamperedModels() {
    }

    /** LightGBM text models made from {@code examples/lightgbm/lgbm-binary/model.txt}. */
    public static List<Tampered> lightgbm() {
        String good = read("examples/lightgbm/lgbm-binary/model.txt");
        return List.of(
                lgbm("lgbm-num-leaves", once(good, "num_leaves=8", "num_leaves=9"), "tree 0: leaf_value has 8 values, expected 9", true),
                lgbm("lgbm-child-index", once(good, "left_child=-1 2 -2 4 -3 -5 -7", "left_child=-1 2 -2 7 -3 -5 -7"),
                        "tree 0: node 3 has child 7, but the tree has 7 internal nodes", false),
                lgbm("lgbm-tree-sizes", once(good, "left_child=-1 2 -2 4 -3 -5 -7", "left_child=-1 200000000 -2 4 -3 -5 -7"),
                        "tree_sizes says tree 0 is 956 bytes but it is 964", true),
                lgbm("lgbm-truncated", good.substring(0, good.length() / 2), "it has no 'end of trees' line", false));
    }

    /** XGBoost JSON models made from {@code examples/xgboost/xgb-binary/model.json}. */
    public static List<Tampered> xgboost() {
        String good = read("examples/xgboost/xgb-binary/model.json");
        return List.of(
                xgb("xgb-child-index", trees(good, t -> set(t, "left_children", 0, 100_000_000)),
                        "tree 0: node 0 has child 100000000, but the tree has 13 nodes", true),
                xgb("xgb-feature-index", trees(good, t -> set(t, "split_indices", 0, 1_000_000)),
                        "tree 0: node 0 splits on feature 1000000 of 4", false),
                xgb("xgb-num-nodes", trees(good, t -> {
                    ((ObjectNode) t.get("tree_param")).put("num_nodes", Integer.toString(t.get("left_children").size() + 1));
                    return t;
                }), "tree 0: left_children has 13 entries, expected 14", false));
    }

    private static Tampered lgbm(String name, String text, String refusal, boolean crashes) {
        return new Tampered(name, "lightgbm", "model.txt", text.getBytes(StandardCharsets.ISO_8859_1), refusal, crashes);
    }

    private static Tampered xgb(String name, String json, String refusal, boolean crashes) {
        return new Tampered(name, "xgboost", "model.json", json.getBytes(StandardCharsets.UTF_8), refusal, crashes);
    }

    private static String once(String text, String from, String to) {
        int at = text.indexOf(from);
        if (at < 0) {
            throw new IllegalStateException("the example model no longer holds '" + from + "'; update TamperedModels");
        }
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    private static String trees(String json, UnaryOperator<ObjectNode> change) {
        try {
            JsonNode root = JSON.readTree(json);
            for (JsonNode tree : root.path("learner").path("gradient_booster").path("model").path("trees")) {
                change.apply((ObjectNode) tree);
            }
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode set(ObjectNode tree, String array, int index, int value) {
        ((ArrayNode) tree.get(array)).set(index, value);
        return tree;
    }

    private static String read(String path) {
        try {
            return Files.readString(MeshProcess.repoRoot().resolve(path), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
