package dev.meshwork.config;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a Meshwork process stops on SIGTERM and SIGINT: it runs its own stop (drain, close) first and
 * only then exits, so the JVM's shutdown hooks start once it serves nothing. They used to run side
 * by side with it, and ONNX Runtime's own hook releases its native environment: a request still
 * served during a node's drain then ran on freed memory and the process died in
 * {@code OrtSession.run} (SIGSEGV). Any other way out (System.exit elsewhere) still runs the stop,
 * once, from a shutdown hook, as before. The signal's thread and the hook call the stop; it runs once.
 */
public final class ProcessStop {
    private ProcessStop() {
    }

    /** Runs {@code stop} on SIGTERM or SIGINT and then exits with 128 + the signal's number, as a process killed by it would. */
    public static void install(String name, Runnable stop) {
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable once = () -> {
            if (stopped.compareAndSet(false, true)) {
                stop.run();
            }
        };
        sun.misc.SignalHandler handler = signal -> Thread.ofPlatform().name(name).start(() -> {
            try {
                once.run();
            } finally {
                System.exit(128 + signal.getNumber());
            }
        });
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), handler);
            } catch (IllegalArgumentException e) { // the JVM keeps the signal (-Xrs): the shutdown hook below stops the process
                System.err.println("meshwork: SIG" + signal + " stays the JVM's: " + e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(once, name));
    }
}
