package dev.meshwork.protocol.error;

/**
 * The one exception type that crosses module and protocol boundaries: a code and a message that
 * tells the caller what was wrong and, where it can, what to do.
 */
public final class MeshError extends RuntimeException {
    private final ErrorCode code;

    public MeshError(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public MeshError(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static MeshError invalid(String format, Object... args) {
        return new MeshError(ErrorCode.INVALID_ARGUMENT, String.format(format, args));
    }

    public static MeshError notFound(String format, Object... args) {
        return new MeshError(ErrorCode.NOT_FOUND, String.format(format, args));
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
