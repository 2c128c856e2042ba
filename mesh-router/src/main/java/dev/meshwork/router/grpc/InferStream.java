package dev.meshwork.router.grpc;

import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelStreamInferResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One {@code ModelStreamInfer} call: each request is run as its own inference (routing, admission,
 * load on miss and forwarding as for {@code ModelInfer}) on the request executor, up to
 * {@code window} at once, and the answers go back in the order the requests came, a failed one as
 * its {@code error_message}. The window is the stream's flow control: a request is read from the
 * client only when an earlier one has been answered and the client reads answers, so a client that
 * sends fast or reads slowly never makes the router buffer more than {@code window} requests.
 * gRPC calls the request observer on its own serialised threads; answers are written under this
 * object's monitor, from whichever thread finishes the head of the queue.
 */
final class InferStream implements StreamObserver<ModelInferRequest> {
    private final ServerCallStreamObserver<ModelStreamInferResponse> out;
    private final Executor work;
    private final Function<ModelInferRequest, Runner> prepare;
    private final Context context;
    /** Requests in arrival order, each with its answer once it has one. */
    private final ArrayDeque<CompletableFuture<ModelStreamInferResponse>> pending = new ArrayDeque<>();
    private boolean halfClosed;
    private boolean finished;
    /** Requests the client may still send before the stream asks for more. */
    private int credit;
    private final int window;

    /** Work prepared on the call's thread (where its context is) to run on a request thread. */
    interface Runner {
        ModelInferResponse run() throws Exception;
    }

    InferStream(ServerCallStreamObserver<ModelStreamInferResponse> out, Executor work, int window,
                Function<ModelInferRequest, Runner> prepare) {
        this.out = out;
        this.work = work;
        this.window = window;
        this.prepare = prepare;
        this.context = Context.current();
        out.disableAutoRequest();
        out.setOnReadyHandler(this::flush);
        out.setOnCancelHandler(() -> {
            synchronized (this) {
                finished = true;
            }
        });
        credit = window;
        out.request(window);
    }

    @Override
    public void onNext(ModelInferRequest request) {
        CompletableFuture<ModelStreamInferResponse> answer = new CompletableFuture<>();
        synchronized (this) {
            if (finished) {
                return;
            }
            credit--;
            pending.add(answer);
        }
        try {
            Runner runner = prepare.apply(request); // reads the call's access on this thread
            work.execute(context.wrap(() -> {
                answer.complete(run(runner));
                flush();
            }));
        } catch (RejectedExecutionException e) {
            answer.complete(failure(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException()));
            flush();
        } catch (RuntimeException e) {
            answer.complete(failure(e));
            flush();
        }
    }

    private static ModelStreamInferResponse run(Runner runner) {
        try {
            return ModelStreamInferResponse.newBuilder().setInferResponse(runner.run()).build();
        } catch (Throwable t) {
            return failure(t);
        }
    }

    private static ModelStreamInferResponse failure(Throwable t) {
        Status s = GrpcErrors.toStatus(t).getStatus();
        String message = s.getDescription() == null ? s.getCode().name() : s.getDescription();
        return ModelStreamInferResponse.newBuilder().setErrorMessage(message).build();
    }

    /** Writes the answers at the head of the queue that are ready, while the client takes them; asks for more requests. */
    private synchronized void flush() {
        while (!finished && !pending.isEmpty() && pending.peek().isDone() && out.isReady()) {
            out.onNext(pending.poll().join());
        }
        if (finished) {
            return;
        }
        if (halfClosed && pending.isEmpty()) {
            finished = true;
            out.onCompleted();
            return;
        }
        int want = window - pending.size() - credit;
        if (want > 0 && out.isReady() && !halfClosed) {
            credit += want;
            out.request(want);
        }
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            finished = true; // the client went away or cancelled: its answers have nowhere to go
        }
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            halfClosed = true;
        }
        flush();
    }
}
