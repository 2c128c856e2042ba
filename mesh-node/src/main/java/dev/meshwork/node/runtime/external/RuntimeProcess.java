package dev.meshwork.node.runtime.external;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external runtime the node starts itself and keeps running: when the process exits it is
 * started again after a back-off that doubles from 1 s to 30 s (reset once it ran a minute). Its
 * output goes to a log file beside the node's temporary files. The adapter's health watch sees it
 * go and come back; this class only keeps a process there. One supervising daemon thread.
 */
final class RuntimeProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeProcess.class);
    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final Thread supervisor;
    private volatile Process process;
    private volatile boolean closed;

    RuntimeProcess(String name, List<String> command, Map<String, String> env) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        try {
            this.log = Files.createTempFile("meshwork-runtime-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "-", ".log");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the log of external runtime " + name, e);
        }
        this.supervisor = Thread.ofPlatform().daemon().name("meshwork-process-" + name).start(this::supervise);
    }

    private void supervise() {
        long backoffMs = 1000;
        while (!closed) {
            long started = System.nanoTime();
            try {
                ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                b.environment().putAll(env);
                process = b.start();
                LOG.info("external runtime {} started (pid {}), output in {}", name, process.pid(), log);
                int exit = process.waitFor();
                if (closed) {
                    return;
                }
                LOG.warn("external runtime {} exited with {}; starting it again in {} ms", name, exit, backoffMs);
            } catch (IOException e) {
                LOG.warn("external runtime {} could not start ({}); trying again in {} ms", name, e.getMessage(), backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = System.nanoTime() - started > 60_000_000_000L ? 1000 : Math.min(backoffMs * 2, 30_000);
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The running process, if there is one (for tests and status). */
    Process process() {
        return process;
    }

    @Override
    public void close() {
        closed = true;
        supervisor.interrupt();
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
    }
}
