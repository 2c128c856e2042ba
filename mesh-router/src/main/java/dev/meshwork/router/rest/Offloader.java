package dev.meshwork.router.rest;

import dev.meshwork.nodeapi.InlineRun;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Moves a request's work off the event loop: the work (decoding, waiting for a load, inference,
 * encoding) runs on a request thread, and the answer is written back on the request's Vert.x
 * context; a quick inference on a loaded in-process copy runs on the event loop instead.
 */
final class Offloader {
    private final ExecutorService executor;
    private final long maxResponseBytes;

    Offloader(ExecutorService executor, long maxResponseBytes) {
        this.executor = executor;
        this.maxResponseBytes = maxResponseBytes;
    }

    void handle(RoutingContext ctx, Callable<Reply> work) {
        handle(ctx, false, work);
    }

    /**
     * {@link #handle(RoutingContext, Callable)}, or, when {@code inline} (a quick request for a copy loaded in
     * this process: {@code ModelService.runsInline}), the work runs here on the event loop, marked so that
     * the node never waits in it ({@link InlineRun}). The hand-off to a request thread and back costs about
     * as much as the HTTP exchange itself on two cores, more than such a request's own work.
     */
    void handle(RoutingContext ctx, boolean inline, Callable<Reply> work) {
        if (inline) {
            send(ctx, answer(() -> InlineRun.run(work)));
            return;
        }
        Context context = Vertx.currentContext();
        try {
            executor.execute(() -> {
                Reply done = answer(work);
                context.runOnContext(v -> send(ctx, done));
            });
        } catch (RejectedExecutionException e) {
            send(ctx, RestErrors.reply(503, "the router is shutting down"));
        }
    }

    private Reply answer(Callable<Reply> work) {
        try {
            Reply reply = work.call();
            if (reply.body().length > maxResponseBytes) {
                // one check for every route: a model whose answer is too big fails that request, not the client or the router
                return RestErrors.reply(MeshError.format(ErrorCode.PAYLOAD_TOO_LARGE, "the answer is %d bytes, more than this"
                        + " listener sends (http.maxResponseBytes = %d); ask for fewer rows or outputs", reply.body().length,
                        maxResponseBytes));
            }
            return reply;
        } catch (Throwable t) {
            return RestErrors.reply(t);
        }
    }

    static void send(RoutingContext ctx, Reply reply) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        reply.headers().forEach(ctx.response()::putHeader);
        ctx.response().setStatusCode(reply.status())
                .putHeader("content-type", reply.contentType())
                .end(Buffer.buffer(reply.body()));
    }
}
