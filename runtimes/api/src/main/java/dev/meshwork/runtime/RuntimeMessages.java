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

    /**
     * A parser's complaint about an artifact in the parser's own words, without the artifact's
     * bytes: the first line, with every quoted excerpt (where parsers show what they found) replaced
     * by {@code '...'}. Model files are the registrant's, and may hold what other clients must not read.
     */
    public static String withoutArtifactText(String message) {
        return firstLine(message).replaceAll("'[^']*'", "'...'").replaceAll("\"[^\"]*\"", "\"...\"");
    }
}
