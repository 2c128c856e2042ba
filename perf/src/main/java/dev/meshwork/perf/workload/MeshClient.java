package dev.meshwork.perf.workload;

import dev.meshwork.perf.BenchRequests;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends one inference to a mesh over gRPC or REST v2 and completes when it is answered; a failure
 * completes exceptionally with a {@link Failure} naming its kind (the gRPC status code or the HTTP
 * status). The gRPC requests are built once per model. Thread-safe: the load generator's scheduler
 * and the clients' callback threads call it.
 */
final class MeshClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final ModelInferRequest[] grpcRequests;
    private final HttpRequest[] restRequests;

    /** Why a request failed, in a word fit for a count (UNAVAILABLE, http-503, ...). */
    static final class Failure extends RuntimeException {
        final String kind;

        Failure(String kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    MeshClient(String restBase, String grpcTarget, String[] modelIds, BenchRequests.Input input) {
        this(restBase, grpcTarget, modelIds, input, null);
    }

    /** A client of one tenant: its requests name {@code namespace} (null: none, the default namespace). */
    MeshClient(String restBase, String grpcTarget, String[] modelIds, BenchRequests.Input input, String namespace) {
        this.channel = NettyChannelBuilder.forTarget(grpcTarget).usePlaintext().maxInboundMessageSize(16 << 20).build();
        GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub s = GRPCInferenceServiceGrpc.newFutureStub(channel);
        if (namespace != null) {
            io.grpc.Metadata headers = new io.grpc.Metadata();
            headers.put(io.grpc.Metadata.Key.of("meshwork-namespace", io.grpc.Metadata.ASCII_STRING_MARSHALLER), namespace);
            s = s.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        this.stub = s;
        this.grpcRequests = new ModelInferRequest[modelIds.length];
        this.restRequests = new HttpRequest[modelIds.length];
        for (int m = 0; m < modelIds.length; m++) {
            grpcRequests[m] = BenchRequests.grpcRequest(modelIds[m], input);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(restBase + "/v2/models/" + modelIds[m] + "/infer")).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(input.json()));
            if (namespace != null) {
                b.header("meshwork-namespace", namespace);
            }
            restRequests[m] = b.build();
        }
    }

    CompletableFuture<Void> send(int model, boolean grpc) {
        if (grpc) {
            return BenchRequests.toCompletable(stub.withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .modelInfer(grpcRequests[model])).handle((r, e) -> {
                        if (e != null) {
                            Status s = Status.fromThrowable(e);
                            throw new Failure(s.getCode().name(), String.valueOf(s.getDescription()));
                        }
                        return null;
                    });
        }
        return http.sendAsync(restRequests[model], HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            if (e != null) {
                Throwable c = cause(e);
                throw new Failure("http-" + c.getClass().getSimpleName(), String.valueOf(c.getMessage()));
            }
            if (r.statusCode() != 200) {
                throw new Failure("http-" + r.statusCode(), r.body());
            }
            return null;
        });
    }

    /** The kind of a failure this client reported, or the exception's class for anything else. */
    static String kind(Throwable t) {
        Throwable c = cause(t);
        return c instanceof Failure f ? f.kind : c.getClass().getSimpleName();
    }

    /** What a failure said. */
    static String message(Throwable t) {
        return String.valueOf(cause(t).getMessage());
    }

    /** What failed, without the CompletionException a future chain wraps it in. */
    private static Throwable cause(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
