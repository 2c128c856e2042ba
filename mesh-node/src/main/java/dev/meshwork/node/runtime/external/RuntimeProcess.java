package dev.meshwork.node.runtime.external;

import dev.meshwork.runtime.RuntimeCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external runtime the node starts itself, from the slot's first load on ({@link #start}), and
 * keeps running: when the process exits it is started again after a back-off that doubles from 1 s
 * to 30 s (reset once it ran a minute). Its output goes to a log file beside the node's temporary
 * files, made when it first starts. The adapter's health watch sees it
 * go and come back; this class only keeps a process there. One supervising daemon thread.
 *
 * <p>A command whose first word names a program Meshwork ships ({@link RuntimeCommand}, e.g.
 * {@code meshwork-python-runtime}) runs that program, once its check says it can run here. A
 * process that cannot run on this machine (that check fails, or the process exits with 78,
 * sysexits' EX_CONFIG) is not started again: the node says why in one line, and loads on the slot
 * fail with that line instead of waiting for a process that will never answer.
 */
final class RuntimeProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeProcess.class);
    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private volatile Path log;
    private final Thread supervisor;
    private volatile Process process;
    private volatile boolean closed;
    private volatile String unavailable;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    /** sysexits' EX_CONFIG: the process says it cannot run here, so starting it again would not help. */
    static final int EX_CONFIG = 78;

    RuntimeProcess(String name, List<String> command, Map<String, String> env) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.supervisor = Thread.ofPlatform().daemon().name("meshwork-process-" + name).unstarted(this::supervise);
    }

    private void supervise() {
        try {
            log = Files.createTempFile("meshwork-runtime-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "-", ".log");
        } catch (IOException e) {
            giveUp("cannot create its log file: " + e.getMessage());
            return;
        }
        List<String> argv = command;
        Optional<RuntimeCommand> shipped = command.isEmpty() ? Optional.empty() : RuntimeCommand.named(command.get(0));
        if (shipped.isPresent()) {
            Optional<String> cannot = shipped.get().unavailable();
            if (cannot.isPresent()) {
                giveUp(cannot.get());
                return;
            }
            argv = shipped.get().argv(command.subList(1, command.size()));
        }
        long backoffMs = 1000;
        while (!closed) {
            long started = System.nanoTime();
            try {
                ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                b.environment().putAll(env);
                process = b.start();
                LOG.info("external runtime {} started (pid {}), output in {}", name, process.pid(), log);
                int exit = process.waitFor();
                if (closed) {
                    return;
                }
                if (exit == EX_CONFIG) {
                    giveUp(lastLine());
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

    /** Starts the process (and its supervision) unless that was done: a slot's runtime runs from its first load on. */
    void start() {
        if (started.compareAndSet(false, true)) {
            supervisor.start();
        }
    }

    private void giveUp(String why) {
        unavailable = why;
        LOG.error("external runtime {} is not started: {}", name, why);
    }

    private String lastLine() {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("it exited with " + EX_CONFIG + " (cannot run here)");
        } catch (IOException | java.io.UncheckedIOException e) {
            return "it exited with " + EX_CONFIG + " (cannot run here); its output is in " + log;
        }
    }

    /** Why the process cannot run on this machine (it is then not started again), or null. */
    String unavailable() {
        return unavailable;
    }

    /** Whether it was asked to start: a runtime no model has used yet has not been. */
    boolean started() {
        return started.get();
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
