package dev.meshwork.protocol.error;

/**
 * The one mapping table from a Meshwork failure kind to its HTTP status and its gRPC status code.
 *
 * <p>gRPC codes are kept as their numeric values (the gRPC specification's) so that this module
 * needs no gRPC server classes; {@code io.grpc.Status.fromCodeValue} turns them into a status.
 */
public enum ErrorCode {
    /** The request is malformed or does not fit the model (bad JSON, name, shape, datatype). */
    INVALID_ARGUMENT(400, 3),
    /** No such model, vmodel, runtime or path. */
    NOT_FOUND(404, 5),
    /** A conflicting resource exists (for example a vmodel owned by someone else). */
    ALREADY_EXISTS(409, 6),
    /** The state is not what the request expected (a vmodel moved meanwhile, a model a vmodel still uses). */
    PRECONDITION_FAILED(409, 9),
    /** The request body or message is larger than the configured limit. */
    PAYLOAD_TOO_LARGE(413, 8),
    /** A namespace's quota is used up (its maxModels registrations); the answer gives the numbers. */
    QUOTA_EXCEEDED(409, 8),
    /** A namespace sent more requests than its rate or in-flight limit allows, or the router sheds it under overload. */
    RATE_LIMITED(429, 8),
    /** Memory or queue capacity is exhausted (a model that cannot fit in any slot). */
    CAPACITY_EXHAUSTED(507, 8),
    /** The model is in a state that cannot serve the request (its load failed, it is unloading). */
    MODEL_NOT_READY(503, 9),
    /** The server or a node is not able to answer right now; retrying later may help. */
    UNAVAILABLE(503, 14),
    /** The deadline passed before the answer was ready. */
    DEADLINE_EXCEEDED(504, 4),
    /** The feature exists in the protocol but not in this build or configuration. */
    UNIMPLEMENTED(501, 12),
    /** The caller may not do this (for example a path outside the storage roots, a role it lacks). */
    PERMISSION_DENIED(403, 7),
    /** The request carries no credentials, or credentials that are not valid. */
    UNAUTHENTICATED(401, 16),
    /** A bug or an unexpected failure inside Meshwork or a runtime. */
    INTERNAL(500, 13);

    private final int httpStatus;
    private final int grpcCode;

    ErrorCode(int httpStatus, int grpcCode) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int grpcCode() {
        return grpcCode;
    }

    /** The code whose gRPC value is {@code value}, for errors that come back from a peer. */
    public static ErrorCode fromGrpcCode(int value) {
        return switch (value) {
            case 3, 11 -> INVALID_ARGUMENT;
            case 5 -> NOT_FOUND;
            case 6 -> ALREADY_EXISTS;
            case 8 -> CAPACITY_EXHAUSTED;
            case 9 -> MODEL_NOT_READY;
            case 4 -> DEADLINE_EXCEEDED;
            case 12 -> UNIMPLEMENTED;
            case 7 -> PERMISSION_DENIED;
            case 16 -> UNAUTHENTICATED;
            case 1, 10, 14 -> UNAVAILABLE;
            default -> INTERNAL;
        };
    }
}
