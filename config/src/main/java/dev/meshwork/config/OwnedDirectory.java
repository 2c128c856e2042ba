package dev.meshwork.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GitOps-style directory of YAML documents that owns what it wrote: each document of its files is
 * applied, a changed one applied again, and one that left its file (or whose file went) removed. A
 * document's {@code source} is {@code file:<path>}; the directory never touches documents from
 * elsewhere (the API), and says so when a file names one. A file that does not parse leaves its
 * documents as they were; both kinds of trouble are in {@link #errors()}. Syncs once at start on the
 * caller's thread, then on the poller's thread; {@link #errors()} may be read from any thread.
 */
public final class OwnedDirectory<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedDirectory.class);

    /** What the directory holds documents of, and how they reach the store they live in. */
    public interface Documents<T> {
        /** Every document of one file, each with {@code source} as its source. */
        List<T> parse(Path file, String text, String source);

        String key(T doc);

        String source(T doc);

        Optional<T> current(String key);

        /** Applies a new or changed document; a refusal is a {@code RuntimeException} whose message says why. */
        void apply(T doc, boolean existed);

        void remove(String key);

        /** Every document in the store, this directory's and others'. */
        Collection<T> all();
    }

    private final Path dir;
    private final String noun;
    private final Documents<T> documents;
    private final DirectoryPoller poller;
    private volatile Map<String, String> errors = Map.of();

    /** @param noun what one document is, for messages ("model", "namespace") */
    public OwnedDirectory(Path dir, long pollMs, String noun, Documents<T> documents) {
        this.dir = dir.toAbsolutePath().normalize();
        this.noun = noun;
        this.documents = documents;
        sync();
        this.poller = new DirectoryPoller(this.dir, pollMs, "meshwork-" + noun + "-directory", this::sync);
    }

    public Path dir() {
        return dir;
    }

    /** What went wrong at the last sync, by file or document; empty when all is well. */
    public Map<String, String> errors() {
        return errors;
    }

    /** Whether the directory wrote this document. */
    public boolean owns(String source) {
        return source.startsWith("file:" + dir + "/");
    }

    /** One pass over the files; also what the poller runs. */
    public synchronized void sync() {
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, T> desired = new LinkedHashMap<>();
        Set<String> unreadable = new HashSet<>();
        List<Path> files;
        try {
            files = DirectoryPoller.yamlFiles(dir);
        } catch (RuntimeException e) {
            errors = Map.of(dir.toString(), e.getMessage());
            return; // a vanished directory is not an instruction to remove everything
        }
        for (Path file : files) {
            String source = "file:" + file;
            try {
                for (T doc : documents.parse(file, Files.readString(file), source)) {
                    T earlier = desired.putIfAbsent(documents.key(doc), doc);
                    if (earlier != null) {
                        problems.put(documents.key(doc), file + ": " + noun + " '" + documents.key(doc) + "' is also defined in "
                                + path(documents.source(earlier)));
                    }
                }
            } catch (IOException | RuntimeException e) {
                unreadable.add(source);
                problems.put(file.toString(), e.getMessage());
            }
        }
        for (T doc : desired.values()) {
            String key = documents.key(doc);
            Optional<T> current = documents.current(key);
            if (current.isPresent() && current.get().equals(doc)) {
                continue;
            }
            if (current.isPresent() && !owns(documents.source(current.get()))) {
                problems.put(key, path(documents.source(doc)) + ": " + noun + " '" + key + "' already exists through the API; delete it there first");
                continue;
            }
            try {
                documents.apply(doc, current.isPresent());
                LOG.info("{} {} {} from {}", noun, key, current.isPresent() ? "updated" : "added", path(documents.source(doc)));
            } catch (RuntimeException e) {
                problems.put(key, path(documents.source(doc)) + ": " + e.getMessage());
            }
        }
        List<String> gone = new ArrayList<>();
        for (T doc : documents.all()) {
            if (owns(documents.source(doc)) && !desired.containsKey(documents.key(doc)) && !unreadable.contains(documents.source(doc))) {
                gone.add(documents.key(doc));
            }
        }
        for (String key : gone) {
            try {
                documents.remove(key);
                LOG.info("{} {} removed: its document left {}", noun, key, dir);
            } catch (RuntimeException e) {
                problems.put(key, e.getMessage());
            }
        }
        errors = Map.copyOf(problems);
        if (!problems.isEmpty()) {
            LOG.warn("{} directory {}: {}", noun, dir, String.join("; ", problems.values()));
        }
    }

    private static String path(String source) {
        return source.substring(source.indexOf(':') + 1);
    }

    @Override
    public void close() {
        poller.close();
    }
}
