package dev.meshwork.runtime.lightgbm;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a LightGBM text model's structure before LightGBM's native parser sees it: that parser
 * trusts the file and crashes the whole process on a truncated or foreign one (it was seen to).
 * The checks: the {@code tree} header, an {@code end of trees} marker (truncation), and a
 * {@code tree_sizes} list that matches the {@code Tree=} blocks and fits inside the file.
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
        if (!text.startsWith("tree\n") && !text.startsWith("tree\r\n")) {
            throw refuse(name, "it does not start with LightGBM's 'tree' header");
        }
        int firstTree = text.indexOf("\nTree=");
        int end = text.indexOf("\nend of trees");
        if (end < 0) {
            throw refuse(name, "it has no 'end of trees' line (truncated?)");
        }
        if (firstTree < 0 || firstTree > end) {
            throw refuse(name, "it has no Tree= block");
        }
        int trees = 0;
        for (int at = text.indexOf("\nTree=", firstTree); at >= 0 && at < end; at = text.indexOf("\nTree=", at + 1)) {
            trees++;
        }
        int sizesAt = text.indexOf("\ntree_sizes=");
        if (sizesAt >= 0 && sizesAt < firstTree) {
            int lineEnd = text.indexOf('\n', sizesAt + 1);
            String[] sizes = text.substring(sizesAt + "\ntree_sizes=".length(), lineEnd < 0 ? text.length() : lineEnd).trim().split("\\s+");
            if (sizes.length != trees) {
                throw refuse(name, "its tree_sizes lists " + sizes.length + " trees but it holds " + trees);
            }
            long sum = 0;
            for (String s : sizes) {
                try {
                    sum += Long.parseLong(s);
                } catch (NumberFormatException e) {
                    throw refuse(name, "its tree_sizes has '" + s + "', not a number");
                }
            }
            if (sum > end - firstTree) {
                throw refuse(name, "its trees claim " + sum + " bytes but only " + (end - firstTree) + " are there (truncated?)");
            }
        }
    }

    private static MeshError refuse(String name, String why) {
        return new MeshError(ErrorCode.INVALID_ARGUMENT, "LightGBM could not load " + name + ": not a complete LightGBM text model: " + why);
    }
}
