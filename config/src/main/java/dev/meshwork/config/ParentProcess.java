package dev.meshwork.config;

import java.util.Optional;

/**
 * Ends this process when another one ends, even by kill -9: for processes that serve only the one
 * that started them (an isolated slot's runtime-server, a node of a router's local pool). The pid
 * is given, not asked for: a parent killed while this JVM was starting leaves it reparented, and
 * its "parent" then never ends. The check runs on the JDK's process-reaper thread.
 */
public final class ParentProcess {
    private ParentProcess() {
    }

    /** Halts with status 0 when {@code pid} ends, and at once if it is gone already; {@code process} names this one in the line it writes. */
    public static void endWith(long pid, String process) {
        Optional<ProcessHandle> parent = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (parent.isEmpty()) {
            System.err.println(process + ": process " + pid + " (parentPid) is gone; exiting");
            Runtime.getRuntime().halt(0);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println(process + ": process " + pid + " (parentPid) ended; exiting");
            Runtime.getRuntime().halt(0);
        });
    }
}
