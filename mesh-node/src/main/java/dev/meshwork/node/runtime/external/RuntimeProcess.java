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

    /** The running process, if there is one. */
    Process process() {
        return process;
    }

    /** Where its output goes. */
    Path log() {
        return log;
    }

    /**
     * Whether {@code p} (the process a call went to) died, waiting up to {@code waitMs} for it: a
     * call's connection breaks a moment before the process is gone. Returns how it ended, else null.
     */
    String diedHow(Process p, long waitMs) {
        if (p == null) {
            return null;
        }
        try {
            p.onExit().get(waitMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        int exit = p.exitValue();
        LOG.warn("the process of runtime {} (pid {}) died with {}; its output is in {}", name, p.pid(), exitText(exit), log);
        return "the process of runtime " + name + " (pid " + p.pid() + ") died with " + exitText(exit);
    }

    /** An exit status as a person reads it: a signal's name for 128 + n. */
    static String exitText(int exit) {
        String signal = switch (exit - 128) {
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> null;
        };
        return signal == null ? "exit status " + exit : signal + " (exit status " + exit + ")";
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
