package dev.meshwork.cli;

/** A command that did not do what it was asked, with its exit code and one line for the user. */
final class CliFailure extends RuntimeException {
    static final int MESH_SAID_NO = 1;
    static final int UNREACHABLE = 3;
    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
