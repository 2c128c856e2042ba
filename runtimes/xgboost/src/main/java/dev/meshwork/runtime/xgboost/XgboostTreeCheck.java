package dev.meshwork.runtime.xgboost;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The structure of one tree of an XGBoost JSON model, checked so that the native code never
 * indexes outside its arrays: every per-node array has {@code num_nodes} entries, a node is a leaf
 * on both sides or on neither, children name existing nodes whose {@code parents} entry points
 * back, every node is reached exactly once from the root, split features lie below
 * {@code num_feature}, and categorical splits' segments lie inside {@code categories}. Stateless;
 * throws IllegalArgumentException with what is wrong.
 */
final class XgboostTreeCheck {
    private static final String[] PER_NODE = {"left_children", "right_children", "parents", "split_indices", "split_conditions",
        "default_left", "loss_changes", "sum_hessian"};

    private XgboostTreeCheck() {
    }

    static void check(int index, JsonNode tree, long features) {
        String where = "tree " + index;
        JsonNode param = XgboostModelFile.object(tree, "tree_param", where);
        int n = (int) number(param, "num_nodes", 1, 1 << 28, where + "'s tree_param");
        long leafVector = param.has("size_leaf_vector") ? number(param, "size_leaf_vector", 0, 1 << 20, where + "'s tree_param") : 1;
        for (String key : PER_NODE) {
            sized(tree, key, n, where);
        }
        JsonNode weights = tree.path("base_weights");
        if (!weights.isArray() || (weights.size() != n && weights.size() != n * Math.max(1, leafVector))) {
            throw new IllegalArgumentException(where + ": base_weights has " + weights.size() + " entries for " + n + " nodes");
        }
        if (tree.has("split_type")) {
            sized(tree, "split_type", n, where);
        }
        int[] left = ints(tree.get("left_children"));
        int[] right = ints(tree.get("right_children"));
        int[] parents = ints(tree.get("parents"));
        long[] split = longs(tree.get("split_indices"));
        boolean[] seen = new boolean[n];
        int[] stack = new int[n];
        int top = 0;
        stack[top++] = 0;
        seen[0] = true;
        int reached = 1;
        while (top > 0) {
            int node = stack[--top];
            boolean leaf = left[node] == -1;
            if (leaf != (right[node] == -1)) {
                throw new IllegalArgumentException(where + ": node " + node + " has one child");
            }
            if (leaf) {
                continue;
            }
            if (split[node] < 0 || split[node] >= features) {
                throw new IllegalArgumentException(where + ": node " + node + " splits on feature " + split[node] + " of " + features);
            }
            for (int child : new int[] {left[node], right[node]}) {
                if (child <= 0 || child >= n) {
                    throw new IllegalArgumentException(where + ": node " + node + " has child " + child + ", but the tree has " + n + " nodes");
                }
                if (seen[child]) {
                    throw new IllegalArgumentException(where + ": node " + child + " is reached twice (a cycle or a shared child)");
                }
                if (parents[child] != node) {
                    throw new IllegalArgumentException(where + ": node " + child + " names parent " + parents[child] + ", not " + node);
                }
                seen[child] = true;
                reached++;
                stack[top++] = child;
            }
        }
        if (reached != n) {
            throw new IllegalArgumentException(where + ": only " + reached + " of its " + n + " nodes are reachable from the root");
        }
        categories(tree, n, where);
    }

    private static void categories(JsonNode tree, int n, String where) {
        JsonNode nodes = tree.path("categories_nodes");
        int count = nodes.isArray() ? nodes.size() : 0;
        long total = tree.path("categories").isArray() ? tree.get("categories").size() : 0;
        if (count == 0) {
            if (tree.has("split_type")) {
                for (JsonNode t : tree.get("split_type")) {
                    if (t.asInt() != 0) {
                        throw new IllegalArgumentException(where + " has a categorical split but no categories_nodes");
                    }
                }
            }
            return;
        }
        sized(tree, "categories_segments", count, where);
        sized(tree, "categories_sizes", count, where);
        for (int i = 0; i < count; i++) {
            long node = nodes.get(i).asLong(-1);
            long start = tree.get("categories_segments").get(i).asLong(-1);
            long size = tree.get("categories_sizes").get(i).asLong(-1);
            if (node < 0 || node >= n || start < 0 || size < 0 || start + size > total) {
                throw new IllegalArgumentException(where + ": categorical split " + i + " (node " + node + ", categories " + start + "+" + size
                        + ") lies outside the tree or its " + total + " categories");
            }
        }
    }

    /** A whole number in range, written as a JSON number or as a string (XGBoost writes parameters as strings). */
    static long number(JsonNode parent, String key, long min, long max, String where) {
        JsonNode v = parent.get(key);
        long n;
        try {
            n = v == null ? Long.MIN_VALUE : v.isNumber() ? v.asLong() : Long.parseLong(v.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + key + " is '" + v.asText() + "', not a whole number");
        }
        if (v == null || n < min || n > max) {
            throw new IllegalArgumentException(where + ": " + key + (v == null ? " is missing" : " is " + n + ", outside " + min + ".." + max));
        }
        return n;
    }

    private static void sized(JsonNode tree, String key, int n, String where) {
        JsonNode a = tree.get(key);
        if (a == null || !a.isArray() || a.size() != n) {
            throw new IllegalArgumentException(where + ": " + key + " has " + (a == null || !a.isArray() ? "no" : a.size()) + " entries, expected " + n);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToInt()) {
                throw new IllegalArgumentException("'" + v + "' is not a node index");
            }
            out[i] = v.asInt();
        }
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToLong()) {
                throw new IllegalArgumentException("'" + v + "' is not a feature index");
            }
            out[i] = v.asLong();
        }
        return out;
    }
}
