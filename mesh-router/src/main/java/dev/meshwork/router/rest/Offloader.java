package dev.meshwork.router.rest;

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
 * context.
 */
final class Offloader {
    private final ExecutorService executor;

    Offloader(ExecutorService executor) {
        this.executor = executor;
    }

    void handle(RoutingContext ctx, Callable<Reply> work) {
        Context context = Vertx.currentContext();
        try {
            executor.execute(() -> {
                Reply reply;
                try {
                    reply = work.call();
                } catch (Throwable t) {
                    reply = RestErrors.reply(t);
                }
                Reply done = reply;
                context.runOnContext(v -> send(ctx, done));
            });
        } catch (RejectedExecutionException e) {
            send(ctx, RestErrors.reply(503, "the router is shutting down"));
        }
    }

    static void send(RoutingContext ctx, Reply reply) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(reply.status())
                .putHeader("content-type", reply.contentType())
                .end(Buffer.buffer(reply.body()));
    }
}
