package dev.meshwork.runtime.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks an XGBoost JSON model ({@code model.json}) completely before XGBoost's native loader sees
 * it: that loader trusts the indices in the file, and a child or feature index out of range crashes
 * the process with SIGSEGV (it was seen to). The checks: the learner's {@code num_feature} and
 * {@code num_class}; for {@code gbtree} and {@code dart}, that {@code num_trees}, {@code trees},
 * {@code tree_info} and {@code iteration_indptr} agree, and each tree's structure
 * ({@link XgboostTreeCheck}); for {@code gblinear}, the weight count. UBJSON and the legacy binary
 * form are not read here: they rely on the slot's process isolation alone. Stateless.
 */
final class XgboostModelFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private XgboostModelFile() {
    }

    static void check(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".json")) {
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the position only: the parser's message quotes the file, which may be anybody's bytes
            throw refuse(name, "it is not JSON (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            check(root);
        } catch (IllegalArgumentException e) {
            throw refuse(name, e.getMessage());
        }
    }

    /** Throws IllegalArgumentException with what is wrong. */
    static void check(JsonNode root) {
        JsonNode learner = object(root, "learner", "the file");
        JsonNode param = object(learner, "learner_model_param", "learner");
        long features = XgboostTreeCheck.number(param, "num_feature", 1, Integer.MAX_VALUE, "learner_model_param");
        long classes = param.has("num_class") ? XgboostTreeCheck.number(param, "num_class", 0, 1_000_000, "learner_model_param") : 0;
        JsonNode booster = object(learner, "gradient_booster", "learner");
        String kind = booster.path("name").asText("");
        switch (kind) {
            case "gbtree" -> trees(object(booster, "model", "gradient_booster"), features, classes);
            case "dart" -> {
                JsonNode gbtree = object(booster, "gbtree", "dart booster");
                JsonNode model = object(gbtree, "model", "dart booster's gbtree");
                int trees = trees(model, features, classes);
                if (booster.has("weight_drop") && booster.get("weight_drop").size() != trees) {
                    throw new IllegalArgumentException("dart's weight_drop has " + booster.get("weight_drop").size() + " weights for " + trees + " trees");
                }
            }
            case "gblinear" -> {
                JsonNode weights = object(booster, "model", "gradient_booster").path("weights");
                long groups = Math.max(1, classes);
                if (!weights.isArray() || weights.size() != (features + 1) * groups) {
                    throw new IllegalArgumentException("gblinear needs (num_feature + 1) x " + groups + " weights, it has " + weights.size());
                }
            }
            default -> throw new IllegalArgumentException("its gradient_booster is '" + kind + "', not gbtree, dart or gblinear");
        }
    }

    private static int trees(JsonNode model, long features, long classes) {
        JsonNode trees = model.path("trees");
        if (!trees.isArray()) {
            throw new IllegalArgumentException("the model has no trees array");
        }
        long declared = XgboostTreeCheck.number(object(model, "gbtree_model_param", "model"), "num_trees", 0, Integer.MAX_VALUE, "gbtree_model_param");
        if (declared != trees.size()) {
            throw new IllegalArgumentException("num_trees says " + declared + " but it holds " + trees.size() + " trees");
        }
        JsonNode info = model.path("tree_info");
        if (!info.isArray() || info.size() != trees.size()) {
            throw new IllegalArgumentException("tree_info has " + info.size() + " entries for " + trees.size() + " trees");
        }
        for (JsonNode group : info) {
            if (!group.canConvertToInt() || group.asInt() < 0 || group.asInt() >= Math.max(1, classes)) {
                throw new IllegalArgumentException("tree_info names output group " + group + " of " + Math.max(1, classes));
            }
        }
        JsonNode indptr = model.path("iteration_indptr");
        if (indptr.isArray() && indptr.size() > 0) {
            long previous = 0;
            for (JsonNode v : indptr) {
                if (!v.canConvertToLong() || v.asLong() < previous) {
                    throw new IllegalArgumentException("iteration_indptr is not a rising list of tree offsets");
                }
                previous = v.asLong();
            }
            if (indptr.get(0).asLong() != 0 || previous != trees.size()) {
                throw new IllegalArgumentException("iteration_indptr must run from 0 to the tree count " + trees.size());
            }
        }
        for (int i = 0; i < trees.size(); i++) {
            XgboostTreeCheck.check(i, trees.get(i), features);
        }
        return trees.size();
    }

    static JsonNode object(JsonNode parent, String key, String where) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + " has no object '" + key + "'");
        }
        return n;
    }

    private static MeshError refuse(String name, String why) {
        return new MeshError(ErrorCode.INVALID_ARGUMENT, "XGBoost could not load " + name + ": not a valid XGBoost JSON model: " + why);
    }
}
