package dev.meshwork.protocol.error;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** How every Meshwork gRPC service answers a unary call: the work on an executor, failures as their status. */
public final class GrpcCalls {
    private GrpcCalls() {
    }

    /**
     * Runs {@code call} on {@code work} and answers with its value, or with the status of what it
     * threw. Services on a transport thread pass the request executor; services whose server
     * already runs them on request threads pass {@code Runnable::run}.
     */
    public static <T> void answer(Executor work, StreamObserver<T> out, Callable<T> call) {
        try {
            work.execute(() -> {
                T value;
                try {
                    value = call.call();
                } catch (Throwable t) {
                    out.onError(GrpcErrors.toStatus(t));
                    return;
                }
                out.onNext(value);
                out.onCompleted();
            });
        } catch (RejectedExecutionException e) {
            out.onError(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
        }
    }
}
