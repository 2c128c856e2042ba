package dev.meshwork.security;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;

/**
 * Why a request was refused, as the refusal metric counts it, with its error: 401 / UNAUTHENTICATED
 * for credentials, 403 / PERMISSION_DENIED for rights. A message never repeats a token.
 */
public enum Refusal {
    NO_CREDENTIALS(ErrorCode.UNAUTHENTICATED),
    BAD_CREDENTIALS(ErrorCode.UNAUTHENTICATED),
    NO_RIGHT(ErrorCode.PERMISSION_DENIED),
    BAD_NAMESPACE(ErrorCode.INVALID_ARGUMENT);

    private final ErrorCode code;

    Refusal(ErrorCode code) {
        this.code = code;
    }

    public MeshError error(String message) {
        return new MeshError(code, message);
    }

    /** The metric tag ({@code no_credentials}). */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
