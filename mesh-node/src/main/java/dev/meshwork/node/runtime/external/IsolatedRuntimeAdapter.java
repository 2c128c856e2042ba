package dev.meshwork.node.runtime.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.node.crash.CrashLedger;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.RuntimeAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-process runtime moved into a child process of the node (Meshwork's runtime-server, one per
 * slot, on a Unix domain socket in a directory private to the node's user), so that a native
 * parser that aborts or crashes takes that process down, not the node: the slot's copies are
 * dropped, the process is started again, and the model that was loading (or running) when it died
 * is recorded in the node's {@link CrashLedger}. The child starts with the slot's first load, not
 * with the node, so slots nobody uses cost nothing. The node keeps the slot's memory accounting;
 * the child's own budget is set so high that it never evicts behind the node's back.
 *
 * <p>Thread-safe: load threads start the child once (under the adapter's monitor); calls then go
 * to the {@link ExternalRuntimeAdapter} that speaks to it.
 */
public final class IsolatedRuntimeAdapter implements RuntimeAdapter, AutoCloseable, ProcessRuntime {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The child's own budget: the node accounts for the slot, so the child must never evict by itself. */
    private static final long CHILD_BUDGET = 1L << 50;
    private final String slot;
    private final String adapter;
    private final Set<String> formats;
    private final NodeConfig node;
    private final long capacityBytes;
    private final CrashLedger ledger;
    private volatile ExternalRuntimeAdapter child;
    private volatile Runnable onLost = () -> { };
    private Path dir;
    private boolean closed;

    public IsolatedRuntimeAdapter(String slot, String adapter, Set<String> formats, NodeConfig node, long capacityBytes, CrashLedger ledger) {
        this.slot = slot;
        this.adapter = adapter;
        this.formats = Set.copyOf(formats);
        this.node = node;
        this.capacityBytes = capacityBytes;
        this.ledger = ledger;
    }

    private ExternalRuntimeAdapter child() {
        ExternalRuntimeAdapter c = child;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("slot " + slot + " is closed");
            }
            if (child == null) {
                child = start();
                child.onLost(onLost);
            }
            return child;
        }
    }

    private ExternalRuntimeAdapter start() {
        try {
            dir = Files.createTempDirectory("mw-" + slot.replaceAll("[^A-Za-z0-9._-]", "_") + "-"); // owner-only, short enough for a socket path
            Path socket = dir.resolve("rt.sock");
            Path config = dir.resolve("runtime-server.yaml");
            YAML.writeValue(config.toFile(), childConfig(socket));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(node.isolation().jvmOptions());
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError",
                    "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "meshwork-" + slot.replaceAll("[^A-Za-z0-9._-]", "_") + "-hs_err_pid%p.log"),
                    "-cp", System.getProperty("java.class.path"), "dev.meshwork.node.runtimeserver.RuntimeServerMain", "--config=" + config));
            NodeConfig.External ext = new NodeConfig.External(slot, List.copyOf(formats), "unix://" + socket, capacityBytes,
                    node.isolation().startupTimeoutMs(), command, Map.of());
            return new ExternalRuntimeAdapter(ext, node.loadTimeoutMs(), ledger, true, node.isolation().inferenceSocket());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the process of isolated slot " + slot, e);
        }
    }

    /** The runtime-server configuration of the child: this slot's runtime in-process, the node's storage roots and cache readable. */
    private Map<String, Object> childConfig(Path socket) {
        List<String> roots = new ArrayList<>(node.storage().roots());
        roots.add(node.storage().cachePath().toString()); // downloads reach the child as paths in the node's cache
        Map<String, Object> slotConfig = new LinkedHashMap<>();
        slotConfig.put("adapter", adapter);
        slotConfig.put("runtime", adapter);
        slotConfig.put("memoryBytes", CHILD_BUDGET);
        slotConfig.put("isolation", NodeConfig.SlotConfig.IN_PROCESS);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("nodeId", node.nodeId() + "." + slot);
        n.put("slotMemoryBytes", CHILD_BUDGET);
        n.put("loadThreads", node.loadThreads());
        n.put("loadTimeoutMs", node.loadTimeoutMs());
        n.put("failedLoadBackoffMs", 0);
        n.put("slots", List.of(slotConfig));
        n.put("storage", Map.of("roots", roots, "maxArtifactBytes", node.storage().maxArtifactBytes(), "cacheDir", dir.resolve("cache").toString()));
        n.put("isolation", Map.of("stateDir", dir.resolve("state").toString(), "checkModelFiles", node.isolation().checkModelFiles()));
        if (adapter.equals("onnx")) {
            n.put("onnx", Map.of("intraOpThreads", node.onnx().intraOpThreads(), "interOpThreads", node.onnx().interOpThreads()));
        }
        return Map.of("socket", socket.toString(), "parentPid", ProcessHandle.current().pid(), "node", n);
    }

    @Override
    public void onLost(Runnable listener) {
        this.onLost = listener;
        ExternalRuntimeAdapter c = child;
        if (c != null) {
            c.onLost(listener);
        }
    }

    @Override
    public String name() {
        return adapter;
    }

    @Override
    public Set<String> formats() {
        return formats;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public long predictSize(Path artifact) {
        return child().predictSize(artifact);
    }

    @Override
    public long predictSize(ModelSpec spec, Path artifact) {
        return child().predictSize(spec, artifact);
    }

    @Override
    public LoadedModel load(String modelId, Path artifact) {
        return child().load(modelId, artifact);
    }

    @Override
    public LoadedModel load(ModelSpec spec, Path artifact) {
        return child().load(spec, artifact);
    }

    /** The child's pid, if it runs (for tests and status). */
    public java.util.OptionalLong pid() {
        ExternalRuntimeAdapter c = child;
        Process p = c == null ? null : c.target();
        return p == null || !p.isAlive() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(p.pid());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (child != null) {
            child.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory; the next boot does not need it
            }
        }
    }
}
