package dev.meshwork.router.autoscale;

import dev.meshwork.placement.table.NodeRecord;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node pool of {@code ./meshwork up --nodes auto}: node processes on this machine that the
 * router starts and stops to follow its own {@code meshwork_desired_nodes}, so that the autoscaler
 * can be watched, measured and tested without Kubernetes. A new node is this JVM's java and class
 * path running the node's main class, with this router's cluster name and an address to join, and
 * the node configuration file {@code autoscale.local.nodeConfig}. When fewer nodes are wanted, the
 * one that costs least to lose ({@code removalCost}, as the controller gives Kubernetes) gets SIGTERM
 * and drains as on any stop: one at a time, and none while another is still starting. Its state is
 * touched only by its own thread ({@code meshwork-local-pool}) and by {@link #close}, after that
 * thread has stopped.
 */
public final class LocalNodePool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalNodePool.class);
    static final String NODE_MAIN = "dev.meshwork.node.cluster.NodeMain";
    /** JVM options a node inherits from this process: module and native access, heap and collector, class-data caches, properties. */
    private static final List<String> INHERITED = List.of("--add-", "--enable-native-access", "-Xmx", "-Xms", "-Xss", "-XX:+Use",
            "-XX:AOTCache", "-XX:SharedArchiveFile", "-Xshare", "-D");

    /** A node process this pool started. */
    record Started(String nodeId, Process process, long startedNanos) {
    }

    private final AutoscaleConfig.Local config;
    private final IntSupplier desired;
    private final Supplier<List<NodeRecord>> table;
    private final ToIntFunction<NodeRecord> removalCost;
    private final List<String> clusterFlags;
    private final Path logDir;
    private final ScheduledExecutorService thread;
    private final List<Started> running = new ArrayList<>();
    private Started stopping;
    private int nextId;

    /**
     * @param desired      the nodes the router's signal wants now
     * @param table        the nodes in the mesh (joined)
     * @param removalCost  what losing a node would cost
     * @param clusterFlags the cluster flags a node needs to join this router's cluster
     */
    public LocalNodePool(AutoscaleConfig.Local config, long intervalMs, IntSupplier desired, Supplier<List<NodeRecord>> table,
                         ToIntFunction<NodeRecord> removalCost, List<String> clusterFlags) throws IOException {
        this.config = config;
        this.desired = desired;
        this.table = table;
        this.removalCost = removalCost;
        this.clusterFlags = List.copyOf(clusterFlags);
        this.logDir = config.logDir().isEmpty() ? Files.createTempDirectory("meshwork-local-pool-") : Files.createDirectories(Path.of(config.logDir()));
        LOG.info("local node pool: nodes follow meshwork_desired_nodes; their logs go to {}", logDir);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("meshwork-local-pool").unstarted(r));
        thread.scheduleWithFixedDelay(this::tickQuietly, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Where the nodes' logs are. */
    public Path logDir() {
        return logDir;
    }

    private void tickQuietly() {
        try {
            tick(System.nanoTime());
        } catch (RuntimeException | IOException e) {
            LOG.warn("local node pool: {}", e.toString());
        }
    }

    /** One look: forget nodes that exited, then start or stop toward the count wanted. On the pool's thread. */
    void tick(long now) throws IOException {
        for (Started n : List.copyOf(running)) {
            if (!n.process().isAlive()) {
                LOG.warn("local node pool: node {} exited with status {} (its log: {})", n.nodeId(), n.process().exitValue(), log(n.nodeId()));
                running.remove(n);
            }
        }
        if (stopping != null && !stopping.process().isAlive()) {
            LOG.info("local node pool: node {} drained and stopped", stopping.nodeId());
            stopping = null;
        }
        List<NodeRecord> joined = table.get();
        Set<String> ids = joined.stream().map(NodeRecord::nodeId).collect(Collectors.toSet());
        for (Started n : List.copyOf(running)) {
            if (!ids.contains(n.nodeId()) && now - n.startedNanos() > TimeUnit.MILLISECONDS.toNanos(config.startTimeoutMs())) {
                LOG.warn("local node pool: node {} did not join within {} ms (autoscale.local.startTimeoutMs); stopping it (its log: {})",
                        n.nodeId(), config.startTimeoutMs(), log(n.nodeId()));
                n.process().destroyForcibly();
                running.remove(n);
            }
        }
        int want = desired.getAsInt();
        if (want > running.size()) {
            while (running.size() < want) {
                running.add(start(now));
            }
            return;
        }
        boolean starting = running.stream().anyMatch(n -> !ids.contains(n.nodeId()));
        if (want < running.size() && !starting && stopping == null) {
            Optional<NodeRecord> cheapest = joined.stream().filter(r -> running.stream().anyMatch(n -> n.nodeId().equals(r.nodeId())))
                    .filter(r -> !r.draining()).min(Comparator.comparingInt(removalCost));
            if (cheapest.isPresent()) {
                Started n = running.stream().filter(x -> x.nodeId().equals(cheapest.get().nodeId())).findFirst().orElseThrow();
                LOG.info("local node pool: {} nodes wanted, {} running: stopping node {} (removal cost {}), which drains first", want,
                        running.size(), n.nodeId(), removalCost.applyAsInt(cheapest.get()));
                n.process().destroy(); // SIGTERM: the node drains, then exits
                running.remove(n);
                stopping = n;
            }
        }
    }

    /** The nodes this pool runs now (starting, joined, not stopping). */
    List<String> running() {
        return running.stream().map(Started::nodeId).toList();
    }

    private Started start(long now) throws IOException {
        String id = "node-" + nextId++;
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (INHERITED.stream().anyMatch(option::startsWith)) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NODE_MAIN));
        if (!config.nodeConfig().isEmpty()) {
            command.add("--config=" + config.nodeConfig());
        }
        // each node's crash ledger in the pool's directory: node ids repeat across pools, and the default is shared under $TMPDIR
        // --parentPid: a node of this pool goes when this router goes, even by kill -9, rather than run on with nobody to serve
        command.addAll(List.of("--parentPid=" + ProcessHandle.current().pid(), "--node.nodeId=" + id,
                "--node.isolation.stateDir=" + logDir.resolve(id + "-state"), "--grpc.host=127.0.0.1", "--grpc.port=" + freePort(), "--http.host=127.0.0.1",
                "--http.port=" + freePort()));
        command.addAll(clusterFlags);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
        LOG.info("local node pool: {} nodes wanted, {} running: started node {} (pid {})", desired.getAsInt(), running.size(), id, p.pid());
        return new Started(id, p, now);
    }

    private Path log(String nodeId) {
        return logDir.resolve(nodeId + ".log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the pool's thread, then every node it started: SIGTERM (they drain), then, past 30 s, SIGKILL. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Started> all = new ArrayList<>(running);
        if (stopping != null) {
            all.add(stopping);
        }
        all.forEach(n -> n.process().destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Started n : all) {
            try {
                if (!n.process().waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    n.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                n.process().destroyForcibly();
            }
        }
    }
}
