package dev.meshwork.runtime.lightgbm;

import java.util.Map;

/**
 * The structure of one LightGBM tree block, as LightGBM's {@code Tree(const char*)} reads it,
 * checked so that the native code never indexes outside its arrays: every array has the length
 * {@code num_leaves} implies, numbers parse, split features lie within {@code max_feature_idx},
 * child indices name existing nodes and leaves, and the nodes form one tree from the root (each
 * node and leaf reached exactly once). Categorical splits and linear leaves are checked the same
 * way. Stateless; throws IllegalArgumentException with what is wrong.
 */
final class LightgbmTreeCheck {
    /** LightGBM's own bound on leaves per tree is far below this; it keeps the arrays we build small. */
    private static final int MAX_LEAVES = 1 << 20;

    private LightgbmTreeCheck() {
    }

    static void check(int tree, Map<String, String> kv, int maxFeature) {
        String where = "tree " + tree;
        int leaves = intKey(kv, "num_leaves", 1, MAX_LEAVES, where);
        int cats = intKey(kv, "num_cat", 0, MAX_LEAVES, where);
        doubles(kv, "leaf_value", leaves, true, where);
        if (kv.containsKey("shrinkage")) {
            doubles(kv, "shrinkage", 1, true, where);
        }
        int internal = leaves - 1;
        if (internal > 0) {
            int[] features = ints(kv, "split_feature", internal, true, where);
            for (int f : features) {
                if (f < 0 || f > maxFeature) {
                    throw new IllegalArgumentException(where + ": split_feature " + f + " is outside 0.." + maxFeature);
                }
            }
            double[] thresholds = doubles(kv, "threshold", internal, true, where);
            int[] decision = ints(kv, "decision_type", internal, true, where);
            int[] left = ints(kv, "left_child", internal, true, where);
            int[] right = ints(kv, "right_child", internal, true, where);
            for (String optional : new String[] {"split_gain", "internal_value", "internal_weight", "internal_count"}) {
                doubles(kv, optional, internal, false, where);
            }
            checkShape(left, right, leaves, where);
            for (int i = 0; i < internal; i++) {
                if (decision[i] < 0 || decision[i] > 15 || ((decision[i] >> 2) & 3) == 3) {
                    throw new IllegalArgumentException(where + ": decision_type " + decision[i] + " of node " + i + " is not one LightGBM writes");
                }
                if ((decision[i] & 1) != 0) {
                    double t = thresholds[i];
                    if (t != Math.rint(t) || t < 0 || t >= cats) {
                        throw new IllegalArgumentException(where + ": categorical node " + i + " names category set " + t + " of " + cats);
                    }
                }
            }
        }
        for (String optional : new String[] {"leaf_weight", "leaf_count"}) {
            doubles(kv, optional, leaves, false, where);
        }
        if (cats > 0) {
            int[] bounds = ints(kv, "cat_boundaries", cats + 1, true, where);
            if (bounds[0] != 0) {
                throw new IllegalArgumentException(where + ": cat_boundaries must start at 0");
            }
            for (int i = 1; i < bounds.length; i++) {
                if (bounds[i] < bounds[i - 1]) {
                    throw new IllegalArgumentException(where + ": cat_boundaries decrease at " + i);
                }
            }
            ints(kv, "cat_threshold", bounds[cats], true, where);
        }
        if (kv.containsKey("is_linear") && !kv.get("is_linear").trim().equals("0")) {
            if (!kv.get("is_linear").trim().equals("1")) {
                throw new IllegalArgumentException(where + ": is_linear must be 0 or 1");
            }
            doubles(kv, "leaf_const", leaves, true, where);
            int[] counts = ints(kv, "num_features", leaves, true, where);
            long total = 0;
            for (int c : counts) {
                if (c < 0 || c > maxFeature + 1) {
                    throw new IllegalArgumentException(where + ": a linear leaf has " + c + " features");
                }
                total += c;
            }
            if (total > 0) {
                for (int f : ints(kv, "leaf_features", (int) total, true, where)) {
                    if (f < 0 || f > maxFeature) {
                        throw new IllegalArgumentException(where + ": leaf feature " + f + " is outside 0.." + maxFeature);
                    }
                }
                doubles(kv, "leaf_coeff", (int) total, true, where);
            }
        }
    }

    /** Child {@code c >= 0} is internal node c, {@code c < 0} is leaf {@code ~c}; from node 0 every node and leaf is reached once. */
    private static void checkShape(int[] left, int[] right, int leaves, String where) {
        int internal = left.length;
        boolean[] seenNode = new boolean[internal];
        boolean[] seenLeaf = new boolean[leaves];
        int[] stack = new int[internal];
        int top = 0;
        stack[top++] = 0;
        seenNode[0] = true;
        int reachedNodes = 1;
        int reachedLeaves = 0;
        while (top > 0) {
            int n = stack[--top];
            for (int child : new int[] {left[n], right[n]}) {
                if (child >= 0) {
                    if (child >= internal) {
                        throw new IllegalArgumentException(where + ": node " + n + " has child " + child + ", but the tree has " + internal + " internal nodes");
                    }
                    if (seenNode[child]) {
                        throw new IllegalArgumentException(where + ": node " + child + " is reached twice (a cycle or a shared child)");
                    }
                    seenNode[child] = true;
                    reachedNodes++;
                    stack[top++] = child;
                } else {
                    int leaf = ~child;
                    if (leaf >= leaves) {
                        throw new IllegalArgumentException(where + ": node " + n + " has leaf " + leaf + ", but num_leaves is " + leaves);
                    }
                    if (seenLeaf[leaf]) {
                        throw new IllegalArgumentException(where + ": leaf " + leaf + " is reached twice");
                    }
                    seenLeaf[leaf] = true;
                    reachedLeaves++;
                }
            }
        }
        if (reachedNodes != internal || reachedLeaves != leaves) {
            throw new IllegalArgumentException(where + ": only " + reachedNodes + " of " + internal + " nodes and " + reachedLeaves + " of "
                    + leaves + " leaves are reachable from the root");
        }
    }

    static int intKey(Map<String, String> kv, String key, int min, int max, String where) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + " has no " + key);
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException(where + ": " + key + " is " + n + ", outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + key + " is '" + v + "', not a whole number");
        }
    }

    private static String[] values(Map<String, String> kv, String key, int n, boolean required, String where) {
        String v = kv.get(key);
        if (v == null) {
            if (required) {
                throw new IllegalArgumentException(where + " has no " + key);
            }
            return null;
        }
        String[] parts = v.isBlank() ? new String[0] : v.trim().split("\\s+");
        if (parts.length != n) {
            throw new IllegalArgumentException(where + ": " + key + " has " + parts.length + " values, expected " + n);
        }
        return parts;
    }

    private static int[] ints(Map<String, String> kv, String key, int n, boolean required, String where) {
        String[] parts = values(kv, key, n, required, where);
        if (parts == null) {
            return null;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": " + key + " holds '" + parts[i] + "', not a whole number");
            }
        }
        return out;
    }

    private static double[] doubles(Map<String, String> kv, String key, int n, boolean required, String where) {
        String[] parts = values(kv, key, n, required, where);
        if (parts == null) {
            return null;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            try {
                String p = parts[i].toLowerCase(java.util.Locale.ROOT);
                out[i] = p.equals("inf") || p.equals("+inf") ? Double.POSITIVE_INFINITY : p.equals("-inf") ? Double.NEGATIVE_INFINITY
                        : p.equals("nan") || p.equals("-nan") ? Double.NaN : Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": " + key + " holds '" + parts[i] + "', not a number");
            }
        }
        return out;
    }
}
