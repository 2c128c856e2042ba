package dev.meshwork.node;

import java.util.Optional;

/**
 * Whether a node's memory plan fits its machine: the slots' budgets are native memory (ONNX Runtime,
 * TensorFlow, XGBoost keep models outside the Java heap, and an isolated slot's process adds its own
 * JVM), so the heap's maximum plus every budget plus the isolated processes must fit in the memory
 * the process may use (the container's limit, which the JVM reads, or the machine's). A plan that
 * does not fit still starts, since budgets are upper bounds, but the node says so once at start: the
 * kernel's OOM killer would otherwise be the first to tell. Immutable.
 *
 * @param heapBytes       the JVM's maximum heap ({@code -Xmx}, or its default share of the memory)
 * @param slotBytes       the sum of the slots' budgets
 * @param childBytes      what the isolated slots' processes and the runtime processes the node starts take besides their
 *                        models (their heaps and runtimes)
 * @param availableBytes  the memory the process may use
 */
public record MemoryPlan(long heapBytes, long slotBytes, long childBytes, long availableBytes) {
    /** What a child JVM takes besides its heap: code, threads, gRPC buffers (measured about 150 MiB, see perf/README.md). */
    public static final long CHILD_OVERHEAD = 160L << 20;
    /** What a runtime process the node starts from the catalog takes besides its models (the Python runtime with scikit-learn and XGBoost imported: 117 MiB resident). */
    public static final long LAUNCHED_OVERHEAD = 128L << 20;

    /** The warning to log when the plan does not fit, else empty. */
    public Optional<String> warning() {
        long planned = heapBytes + slotBytes + childBytes;
        if (availableBytes <= 0 || planned <= availableBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format(java.util.Locale.ROOT,
                "the node's memory plan is %d MiB (heap %d MiB + slot budgets %d MiB + isolated slots' processes %d MiB) but this"
                        + " process may use %d MiB: under load the kernel may kill it; lower node.slotMemoryBytes (or a slot's memoryBytes),"
                        + " the heap (-Xmx in MESHWORK_JVM_OPTS) or node.isolation.jvmOptions, or give it more memory",
                planned >> 20, heapBytes >> 20, slotBytes >> 20, childBytes >> 20, availableBytes >> 20));
    }

    /** The memory this process may use: the container's limit when there is one (the JVM reads it), else the machine's. */
    public static long available() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : -1;
    }

    /** The heap a child JVM gets from {@code -Xmx} among its options (512 MiB when none says). */
    public static long childHeap(java.util.List<String> jvmOptions) {
        for (String o : jvmOptions) {
            if (o.startsWith("-Xmx")) {
                String v = o.substring(4).toLowerCase(java.util.Locale.ROOT);
                long unit = v.endsWith("g") ? 1L << 30 : v.endsWith("m") ? 1L << 20 : v.endsWith("k") ? 1L << 10 : 1;
                try {
                    return Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
                } catch (NumberFormatException e) {
                    return 512L << 20;
                }
            }
        }
        return 512L << 20;
    }
}
