package dev.meshwork.protocol.error;

/**
 * The one exception type that crosses module and protocol boundaries: a code and a message that
 * tells the caller what was wrong and, where it can, what to do.
 */
public final class MeshError extends RuntimeException {
    /** The longest message that crosses a boundary (it travels in an HTTP body or a gRPC trailer). */
    static final int MAX_MESSAGE = 4_000;
    /** Longer values a message quotes (a name, a path a client sent) are shortened to their start. */
    static final int MAX_QUOTED = 1_000;
    private final ErrorCode code;
    /** When a retry may succeed, for answers that say so (HTTP Retry-After, gRPC's retry pushback); 0 when unknown. */
    private final long retryAfterMillis;

    public MeshError(ErrorCode code, String message) {
        this(code, message, null, 0);
    }

    private MeshError(ErrorCode code, String message, Throwable cause, long retryAfterMillis) {
        super(bounded(message), cause);
        this.code = code;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** An error that says when to come back (a rate limit). */
    public static MeshError retryAfter(ErrorCode code, String message, long retryAfterMillis) {
        return new MeshError(code, message, null, Math.max(1, retryAfterMillis));
    }

    /** Milliseconds after which a retry may succeed; 0 when the error does not say. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    public MeshError(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, 0);
    }

    /** A message with its quoted values shortened: what a client sent comes back at most {@value #MAX_QUOTED} characters long. */
    public static String format(String format, Object... args) {
        Object[] shown = args.clone();
        for (int i = 0; i < shown.length; i++) {
            if (shown[i] instanceof CharSequence s && s.length() > MAX_QUOTED) {
                shown[i] = shorten(s.toString(), MAX_QUOTED);
            }
        }
        return String.format(format, shown);
    }

    private static String bounded(String message) {
        return message == null || message.length() <= MAX_MESSAGE ? message : shorten(message, MAX_MESSAGE);
    }

    private static String shorten(String s, int max) {
        return s.substring(0, max / 2) + "... (" + s.length() + " characters)";
    }

    public ErrorCode code() {
        return code;
    }

    public static MeshError invalid(String format, Object... args) {
        return new MeshError(ErrorCode.INVALID_ARGUMENT, format(format, args));
    }

    /** A MeshError of any code, its quoted values shortened as {@link #format} does. */
    public static MeshError format(ErrorCode code, String format, Object... args) {
        return new MeshError(code, format(format, args));
    }

    public static MeshError notFound(String format, Object... args) {
        return new MeshError(ErrorCode.NOT_FOUND, format(format, args));
    }

    /**
     * Wraps any throwable as a MeshError, keeping it when it already is one; the message of an
     * unexpected exception is kept because it usually names the problem (a runtime's own error).
     */
    public static MeshError wrap(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof MeshError e) {
            return e;
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new MeshError(ErrorCode.INTERNAL, message, cause);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof java.util.concurrent.CompletionException
                || current instanceof java.util.concurrent.ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
