package dev.meshwork.runtime;

/** Shapes native runtimes' error messages for clients. */
public final class RuntimeMessages {
    private RuntimeMessages() {
    }

    /** The first line of a runtime's message (native runtimes append stack traces and context). */
    public static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
