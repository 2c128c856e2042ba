package dev.meshwork.node.crash;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node must remember across its own crash and its runtime processes' crashes, so that one
 * poisonous artifact crashes a process once, not at every restart or retry. Before a load the node
 * writes a "loading" mark (a small file: a process that dies keeps its written files, so no fsync
 * is needed against a process crash) and deletes it when the load ends either way. A mark left by
 * a process that is gone means that process died while loading the model: the model is then
 * "poisoned" for its registration (its spec fingerprint) and refused at once, without reading its
 * artifact, until an unload or unregistration forgets it ({@link #forget}). A runtime process that
 * dies while running a model's requests counts against each model in flight; a model reaching
 * {@code maxInferenceCrashes} is poisoned the same way.
 *
 * <p>Thread-safe: load threads write marks, request threads read verdicts, unloads forget. The
 * verdicts are kept in memory; the files are read only at start.
 */
public final class CrashLedger {
    private static final Logger LOG = LoggerFactory.getLogger(CrashLedger.class);
    private static final String LOADING = ".loading";
    private static final String POISONED = ".poisoned";
    private final Path dir;
    private final int maxInferenceCrashes;
    /** Poisoned models and models with inference crashes below the limit, by model id. */
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** The marks of loads running now. */
    private final java.util.Set<Path> open = ConcurrentHashMap.newKeySet();
    /** Numbers this process's marks, so that overlapping loads of one model never share a file. */
    private final java.util.concurrent.atomic.AtomicLong loads = new java.util.concurrent.atomic.AtomicLong();
    /** The lines every mark of this process starts with: its pid and start time, which identify it while it runs. */
    private final String thisProcess;

    /** A model's record: the registration it concerns, its crash count and, once poisoned, why. */
    private record Entry(String modelId, String fingerprint, int crashes, String reason) {
        boolean poisoned() {
            return !reason.isEmpty();
        }
    }

    /**
     * The cause of a failure that is a crash (a process died loading or running the model, or the
     * ledger refuses it for that): the node reports such a copy as crashed, and routers then load the
     * model on no other node either, so one bad file does not crash the mesh node by node.
     */
    public static final class ProcessCrash extends RuntimeException {
        public ProcessCrash(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The failure a load answers for a model a crash poisoned (or one that just crashed). */
    public static MeshError crashed(String reason) {
        return new MeshError(ErrorCode.INVALID_ARGUMENT, reason, new ProcessCrash(reason));
    }

    /** An open "loading" mark; closing it says the load ended (well or not) with the process alive. */
    public interface Mark extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The ledger in {@code dir} (created private to this user). Marks left there by a process that
     * is no longer running become poisoned models; marks of a live process (another node that shares
     * the directory) are left alone.
     */
    public CrashLedger(Path dir, int maxInferenceCrashes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.maxInferenceCrashes = maxInferenceCrashes;
        StringBuilder process = new StringBuilder();
        PropertiesText.append(process, "pid", Long.toString(ProcessHandle.current().pid()));
        PropertiesText.append(process, "pidStarted", startOf(ProcessHandle.current()));
        this.thisProcess = process.toString();
        try {
            Files.createDirectories(this.dir);
            Files.setPosixFilePermissions(this.dir, PosixFilePermissions.fromString("rwx------"));
            recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the node's crash ledger in " + this.dir + " (node.stateDir)", e);
        }
    }

    private void recover() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                Properties p = read(f);
                String id = p.getProperty("model", "");
                if (id.isEmpty()) {
                    continue;
                }
                if (name.endsWith(POISONED)) {
                    entries.put(id, new Entry(id, p.getProperty("spec", ""), Integer.parseInt(p.getProperty("crashes", "0")),
                            p.getProperty("reason", "")));
                } else if (name.endsWith(LOADING)) {
                    long pid = Long.parseLong(p.getProperty("pid", "-1"));
                    if (alive(pid, p.getProperty("pidStarted", ""))) {
                        continue; // a live node process shares the directory (or this one wrote it): its load is still running
                    }
                    String reason = "the node process (pid " + pid + ") died while loading it (load started " + started(p.getProperty("started", "?"))
                            + "); it is not loaded again until it is unloaded or registered again";
                    LOG.warn("model {}: {}", id, reason);
                    poison(new Entry(id, p.getProperty("spec", ""), 1, reason));
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * Whether the process that wrote a mark still runs: the same pid started at the same time (a
     * restarted container's node often gets its predecessor's pid, never its start time).
     */
    private static boolean alive(long pid, String started) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> startOf(h).equals(started) && !started.isEmpty()).orElse(false);
    }

    /** A mark's start: epoch milliseconds as written now, or the instant text of marks written before. */
    private static String started(String written) {
        try {
            return Instant.ofEpochMilli(Long.parseLong(written)).toString();
        } catch (NumberFormatException e) {
            return written;
        }
    }

    private static String startOf(ProcessHandle h) {
        return h.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("");
    }

    /** Why the model may not load, if a crash poisoned this registration of it. */
    public Optional<String> refusal(ModelSpec spec) {
        Entry e = entries.get(spec.id());
        return e != null && e.poisoned() && e.fingerprint().equals(spec.fingerprint()) ? Optional.of(e.reason()) : Optional.empty();
    }

    /** Writes the "loading" mark of a load that is about to hand the artifact to a runtime. */
    public Mark beginLoad(ModelSpec spec) {
        // one file per load: two loads of one id may overlap (an unload's copy still closing while a new registration loads)
        Path file = dir.resolve(key(spec.id()) + "-" + loads.incrementAndGet() + LOADING);
        // every load of a busy node writes one: built by hand, not through Properties.store (a formatted date per
        // file) nor ProcessHandle.info (it reads /proc at each call), which cost more than the load's own file work
        StringBuilder text = new StringBuilder(200).append(thisProcess);
        PropertiesText.append(text, "model", spec.id());
        PropertiesText.append(text, "spec", spec.fingerprint());
        PropertiesText.append(text, "started", Long.toString(System.currentTimeMillis()));
        write(file, text.toString());
        open.add(file);
        return () -> remove(file);
    }

    private void remove(Path mark) {
        open.remove(mark);
        try {
            Files.deleteIfExists(mark);
        } catch (IOException e) {
            LOG.warn("cannot delete the loading mark {}: {}", mark, e.getMessage());
        }
    }

    /**
     * The process is ending in order (a drain, SIGTERM): loads still running did not crash it, so
     * their marks go. Only a process that dies without this (a native crash, kill -9, the kernel's
     * OOM killer) leaves marks behind.
     */
    public void endInOrder() {
        List.copyOf(open).forEach(this::remove);
    }

    /** A runtime process died while it loaded the model: poisons it, with {@code how} (which process, which signal). */
    public String loadCrashed(ModelSpec spec, String how) {
        String reason = how + " while loading it; it is not loaded again until it is unloaded or registered again";
        poison(new Entry(spec.id(), spec.fingerprint(), 1, reason));
        return reason;
    }

    /**
     * A runtime process died while the model's requests ran on it: counts the crash, and poisons the
     * model when it reaches the limit. Returns the reason when it did.
     */
    public Optional<String> inferenceCrashed(ModelSpec spec, String how) {
        Entry before = entries.get(spec.id());
        int crashes = (before != null && before.fingerprint().equals(spec.fingerprint()) ? before.crashes() : 0) + 1;
        if (crashes < maxInferenceCrashes) {
            entries.put(spec.id(), new Entry(spec.id(), spec.fingerprint(), crashes, ""));
            return Optional.empty();
        }
        String reason = how + " while running its requests, " + crashes + " times; it is not loaded again until it is unloaded or registered again";
        poison(new Entry(spec.id(), spec.fingerprint(), crashes, reason));
        return Optional.of(reason);
    }

    /** Forgets the model's crashes (an unload, an unregistration, or a new registration under its id). */
    public void forget(String modelId) {
        if (entries.remove(modelId) != null) {
            try {
                Files.deleteIfExists(dir.resolve(key(modelId) + POISONED));
            } catch (IOException e) {
                LOG.warn("cannot delete the crash record of {}: {}", modelId, e.getMessage());
            }
        }
    }

    private void poison(Entry e) {
        entries.put(e.modelId(), e);
        StringBuilder text = new StringBuilder();
        PropertiesText.append(text, "model", e.modelId());
        PropertiesText.append(text, "spec", e.fingerprint());
        PropertiesText.append(text, "crashes", Integer.toString(e.crashes()));
        PropertiesText.append(text, "reason", e.reason());
        write(dir.resolve(key(e.modelId()) + POISONED), text.toString());
    }

    /** Written under a temporary name and renamed, so a crash mid-write never leaves half a record. */
    private static void write(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + "." + Thread.currentThread().threadId() + ".tmp"); // writers never share one
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        if (file.getFileName().toString().endsWith(".tmp")) {
            Files.deleteIfExists(file);
            return p;
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring the unreadable crash record {}: {}", file, e.getMessage());
        }
        return p;
    }

    /** A file name for a model id (ids hold '/'). */
    private static String key(String modelId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(modelId.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
