package dev.meshwork.runtime;

import dev.meshwork.protocol.error.MeshError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a slot's runtime computes: {@code cpu}, or {@code cuda:N} for the N-th GPU. Immutable.
 *
 * @param index the GPU's index; -1 for the CPU
 */
public record Device(int index) {
    public static final Device CPU = new Device(-1);
    private static final Pattern CUDA = Pattern.compile("cuda:(\\d{1,3})");

    /** Reads a device as a configuration names it. */
    public static Device parse(String text) {
        if (text == null || text.isEmpty() || text.equals("cpu")) {
            return CPU;
        }
        Matcher m = CUDA.matcher(text);
        if (!m.matches()) {
            throw MeshError.invalid("device '%s' is not one Meshwork knows; use cpu or cuda:N (N the GPU's index)", text);
        }
        return new Device(Integer.parseInt(m.group(1)));
    }

    public boolean isCuda() {
        return index >= 0;
    }

    @Override
    public String toString() {
        return isCuda() ? "cuda:" + index : "cpu";
    }
}
