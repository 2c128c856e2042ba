package dev.meshwork.runtime.lightgbm;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a LightGBM text model completely before LightGBM's native parser sees it: that parser
 * trusts the file and aborts or crashes the whole process on a truncated, foreign or tampered one
 * (a changed {@code num_leaves}, a child index out of range, a tree size that no longer matches).
 * The checks: the header ({@code tree}, {@code max_feature_idx}, {@code num_class},
 * {@code num_tree_per_iteration}), the {@code Tree=} blocks numbered in order up to
 * {@code end of trees}, {@code tree_sizes} matching each block's byte length exactly, and each
 * tree's structure ({@link LightgbmTreeCheck}). Stateless.
 */
final class LightgbmModelFile {
    private LightgbmModelFile() {
    }

    static void check(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String name = file.getFileName().toString();
        try {
            check(text);
        } catch (IllegalArgumentException e) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "LightGBM could not load " + name + ": not a valid LightGBM text model: " + e.getMessage());
        }
    }

    /** Throws IllegalArgumentException with what is wrong. */
    static void check(String text) {
        if (!text.startsWith("tree\n") && !text.startsWith("tree\r\n")) {
            throw new IllegalArgumentException("it does not start with LightGBM's 'tree' header");
        }
        int firstTree = text.indexOf("\nTree=");
        int end = text.indexOf("\nend of trees");
        if (end < 0) {
            throw new IllegalArgumentException("it has no 'end of trees' line (truncated?)");
        }
        if (firstTree < 0 || firstTree > end) {
            throw new IllegalArgumentException("it has no Tree= block");
        }
        Map<String, String> header = keyValues(text.substring(0, firstTree + 1));
        int maxFeature = LightgbmTreeCheck.intKey(header, "max_feature_idx", 0, Integer.MAX_VALUE - 1, "the header");
        int classes = LightgbmTreeCheck.intKey(header, "num_class", 1, 1_000_000, "the header");
        int perIteration = header.containsKey("num_tree_per_iteration")
                ? LightgbmTreeCheck.intKey(header, "num_tree_per_iteration", 1, 1_000_000, "the header") : classes;
        for (String key : new String[] {"feature_names", "feature_infos"}) {
            if (header.containsKey(key) && header.get(key).trim().split("\\s+").length != maxFeature + 1) {
                throw new IllegalArgumentException("its " + key + " lists " + header.get(key).trim().split("\\s+").length
                        + " features but max_feature_idx says " + (maxFeature + 1));
            }
        }
        // the blocks, each from its "Tree=i" line to the next one (or to "end of trees")
        int trees = 0;
        int at = firstTree + 1;
        int[] starts = new int[16];
        while (at <= end) {
            if (!text.startsWith("Tree=" + trees + "\n", at) && !text.startsWith("Tree=" + trees + "\r\n", at)) {
                throw new IllegalArgumentException("expected block Tree=" + trees + " at byte " + at);
            }
            if (trees == starts.length) {
                starts = java.util.Arrays.copyOf(starts, trees * 2);
            }
            starts[trees++] = at;
            int next = text.indexOf("\nTree=", at);
            at = next < 0 || next > end ? end + 1 : next + 1;
        }
        if (trees % perIteration != 0) {
            throw new IllegalArgumentException("it holds " + trees + " trees, not a multiple of num_tree_per_iteration " + perIteration);
        }
        if (header.containsKey("tree_sizes")) {
            String[] sizes = header.get("tree_sizes").trim().split("\\s+");
            if (sizes.length != trees) {
                throw new IllegalArgumentException("its tree_sizes lists " + sizes.length + " trees but it holds " + trees);
            }
            for (int i = 0; i < trees; i++) {
                int blockEnd = i + 1 < trees ? starts[i + 1] : end + 1;
                long size;
                try {
                    size = Long.parseLong(sizes[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("its tree_sizes has '" + sizes[i] + "', not a number");
                }
                if (size != blockEnd - starts[i]) {
                    throw new IllegalArgumentException("tree_sizes says tree " + i + " is " + size + " bytes but it is " + (blockEnd - starts[i]));
                }
            }
        }
        for (int i = 0; i < trees; i++) {
            int blockEnd = i + 1 < trees ? starts[i + 1] : end + 1;
            LightgbmTreeCheck.check(i, keyValues(text.substring(starts[i], blockEnd)), maxFeature);
        }
    }

    /** The {@code key=value} lines of a section (the first '=' splits; later keys do not replace earlier ones). */
    static Map<String, String> keyValues(String section) {
        Map<String, String> out = new HashMap<>();
        for (String line : section.split("\r?\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1));
            }
        }
        return out;
    }
}
