package dev.meshwork.cli;

import picocli.CommandLine;

/** {@code ./meshwork models|vmodels|runtimes|nodes|namespaces|infer|status|completion ...}: the command-line client's entry. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns its exit code (0 ok, 1 the mesh said no, 2 usage, 3 the server cannot be reached). */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, printing to {@code out} and {@code err} (a test's buffers). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new MeshworkCommand()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliFailure f) {
                line.getErr().println("meshwork: " + f.getMessage());
                return f.exitCode();
            }
            line.getErr().println("meshwork: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return CliFailure.MESH_SAID_NO;
        });
        return cli.execute(args);
    }
}
