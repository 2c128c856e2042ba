package dev.meshwork.router.rest;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.VModelService;
import dev.meshwork.router.mesh.VModelStatus;
import dev.meshwork.security.Access;
import dev.meshwork.security.Action;
import dev.meshwork.security.Principal;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /v1/mesh/events}: the mesh's changes as server-sent events, for the console. A new
 * stream first gets everything its principal may see ({@code models}, {@code vmodels}, and
 * {@code nodes} for admins), then once a second only what changed: {@code model} (one model's
 * status), {@code removed}, and {@code nodes} or {@code vmodels} when they differ. One tick a
 * second computes the mesh's state once for all streams, on a request thread, and only while a
 * stream is open. A stream whose client does not keep up is closed (it reconnects and starts
 * over), and every stream ends after {@link #MAX_STREAM_MS} so that a revoked token stops seeing.
 * Subscribe and close run on event loops; ticks on a request thread, one at a time.
 */
final class MeshEvents implements AutoCloseable {
    static final long TICK_MS = 1000;
    static final long MAX_STREAM_MS = 5 * 60_000;
    static final int MAX_STREAMS = 64;

    private final Vertx vertx;
    private final ModelService service;
    private final VModelService vmodels;
    private final Executor executor;
    private final long pingMs;
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final Object timerLock = new Object();
    private long timer = -1;

    // the last tick's state; only the tick touches these
    private Map<String, String> models = Map.of();
    private String nodes = "";
    private Map<String, String> vmodelJson = Map.of();

    /** One open stream: where it writes, who it is for, and the model ids it was told about. */
    private static final class Stream {
        final HttpServerResponse response;
        final Context context;
        final Access access;
        final boolean admin;
        final long opened = System.currentTimeMillis();
        final Set<String> known = new HashSet<>();
        boolean fresh = true;
        volatile long lastWrite = System.currentTimeMillis();

        Stream(HttpServerResponse response, Context context, Access access) {
            this.response = response;
            this.context = context;
            this.access = access;
            this.admin = access.principal().may(Action.ADMIN, Principal.ALL_NAMESPACES);
        }
    }

    MeshEvents(Vertx vertx, ModelService service, VModelService vmodels, Executor executor, long idleTimeoutMs) {
        this.vertx = vertx;
        this.service = service;
        this.vmodels = vmodels;
        this.executor = executor;
        this.pingMs = Math.max(50, Math.min(15_000, idleTimeoutMs / 3));
    }

    void mount(Router r, RestAccess a) {
        a.list(r.get("/v1/mesh/events"), Action.VIEW, this::subscribe);
    }

    private void subscribe(RoutingContext ctx) {
        if (streams.size() >= MAX_STREAMS) {
            ctx.response().putHeader("Retry-After", "5");
            Offloader.send(ctx, RestErrors.reply(503, "this router already streams events to " + MAX_STREAMS + " clients; try again later"));
            return;
        }
        HttpServerResponse response = ctx.response().setChunked(true).setStatusCode(200)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .putHeader("x-accel-buffering", "no");
        Stream stream = new Stream(response, Vertx.currentContext(), RestAccess.of(ctx));
        response.write(": meshwork events\n\n");
        response.closeHandler(v -> streams.remove(stream));
        streams.add(stream);
        synchronized (timerLock) {
            if (timer < 0) {
                timer = vertx.setPeriodic(TICK_MS, id -> submitTick());
            }
        }
        submitTick();
    }

    private void submitTick() {
        if (ticking.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        tick();
                    } finally {
                        ticking.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                ticking.set(false);
            }
        }
    }

    private void tick() {
        if (streams.isEmpty()) {
            synchronized (timerLock) {
                if (streams.isEmpty() && timer >= 0) {
                    vertx.cancelTimer(timer);
                    timer = -1;
                }
            }
            return;
        }
        Map<String, String> now = new LinkedHashMap<>();
        for (ModelSpec spec : service.list()) {
            now.put(spec.id(), json(service.status(spec)));
        }
        Set<String> changed = new HashSet<>();
        now.forEach((id, status) -> {
            if (!status.equals(models.get(id))) {
                changed.add(id);
            }
        });
        String nodesNow = json(Map.of("nodes", ManagementRoutes.nodes(service)));
        boolean nodesChanged = !nodesNow.equals(nodes);
        Map<String, String> vmodelsNow = new LinkedHashMap<>();
        for (var v : vmodels.list()) {
            vmodelsNow.put(v.id(), json(vmodels.status(v.id(), "")));
        }
        boolean vmodelsChanged = !vmodelsNow.equals(vmodelJson);
        models = now;
        nodes = nodesNow;
        vmodelJson = vmodelsNow;
        long time = System.currentTimeMillis();
        for (Stream s : streams) {
            StringBuilder out = new StringBuilder();
            if (s.fresh) {
                out.append(modelsEvent(s));
            } else {
                changes(s, changed, out);
            }
            if (s.admin && (s.fresh || nodesChanged)) {
                event(out, "nodes", nodesNow);
            }
            if (s.fresh || vmodelsChanged) {
                event(out, "vmodels", vmodelList(s.access));
            }
            s.fresh = false;
            boolean expired = time - s.opened > MAX_STREAM_MS;
            if (out.isEmpty() && time - s.lastWrite >= pingMs) {
                out.append(": ping\n\n");
            }
            if (!out.isEmpty() || expired) {
                send(s, out.toString(), expired);
            }
        }
    }

    private String modelsEvent(Stream s) {
        StringBuilder list = new StringBuilder("{\"models\":[");
        boolean first = true;
        for (Map.Entry<String, String> e : models.entrySet()) {
            if (s.access.sees(ModelSpec.namespaceOf(e.getKey()))) {
                list.append(first ? "" : ",").append(e.getValue());
                s.known.add(e.getKey());
                first = false;
            }
        }
        StringBuilder out = new StringBuilder();
        event(out, "models", list.append("]}").toString());
        return out.toString();
    }

    private void changes(Stream s, Set<String> changed, StringBuilder out) {
        for (String id : changed) {
            if (s.access.sees(ModelSpec.namespaceOf(id))) {
                s.known.add(id);
                event(out, "model", models.get(id));
            }
        }
        for (var it = s.known.iterator(); it.hasNext(); ) {
            String id = it.next();
            if (!models.containsKey(id)) {
                it.remove();
                event(out, "removed", json(Map.of("name", ModelSpec.nameOf(id), "namespace", ModelSpec.namespaceOf(id))));
            }
        }
    }

    private String vmodelList(Access access) {
        StringBuilder list = new StringBuilder("{\"vmodels\":[");
        boolean first = true;
        for (Map.Entry<String, String> e : vmodelJson.entrySet()) {
            if (access.sees(ModelSpec.namespaceOf(e.getKey()))) {
                list.append(first ? "" : ",").append(e.getValue());
                first = false;
            }
        }
        return list.append("]}").toString();
    }

    private static void event(StringBuilder out, String name, String data) {
        out.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
    }

    private static String json(Object value) {
        return new String(JsonTensorCodec.toBytes(value), StandardCharsets.UTF_8);
    }

    private void send(Stream s, String text, boolean end) {
        s.lastWrite = System.currentTimeMillis();
        s.context.runOnContext(v -> {
            if (s.response.ended() || s.response.closed()) {
                streams.remove(s);
                return;
            }
            if (s.response.writeQueueFull()) {
                // a client that does not read is dropped rather than buffered for; it reconnects and starts afresh
                streams.remove(s);
                s.response.reset();
                return;
            }
            if (!text.isEmpty()) {
                s.response.write(Buffer.buffer(text));
            }
            if (end) {
                streams.remove(s);
                s.response.end();
            }
        });
    }

    @Override
    public void close() {
        synchronized (timerLock) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
        for (Stream s : streams) {
            s.context.runOnContext(v -> {
                if (!s.response.ended() && !s.response.closed()) {
                    s.response.end();
                }
            });
        }
        streams.clear();
    }
}
