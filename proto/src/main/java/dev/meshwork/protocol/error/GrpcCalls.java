package dev.meshwork.protocol.error;

import io.grpc.Context;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

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
            // the call's context travels with the work, so its deadline reaches whatever the work calls next
            work.execute(Context.current().wrap(() -> {
                T value;
                try {
                    value = call.call();
                } catch (Throwable t) {
                    out.onError(GrpcErrors.toStatus(t));
                    return;
                }
                out.onNext(value);
                out.onCompleted();
            }));
        } catch (RejectedExecutionException e) {
            out.onError(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
        }
    }

    /** Stops a server: calls in flight get {@code seconds} to finish, then the rest are cancelled. */
    public static void shutdown(Server server, long seconds) {
        server.shutdown();
        try {
            if (!server.awaitTermination(seconds, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
