package dev.meshwork.testing;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A real OTLP/gRPC collector on loopback for tests: OpenTelemetry's own {@code TraceService}
 * (from the official opentelemetry-proto artifact), keeping every span exported to it with the
 * {@code service.name} of the process that sent it.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One span as received: ids in hex (the parent empty for a root), its name, kind, service and attributes. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, String kind, String service,
                               Map<String, String> attributes, boolean error) {
    }

    private final Server server;
    private final ConcurrentLinkedQueue<ReceivedSpan> spans = new ConcurrentLinkedQueue<>();

    private OtlpReceiver() throws IOException {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new TraceServiceGrpc.TraceServiceImplBase() {
            @Override
            public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    String service = rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                            .map(a -> a.getValue().getStringValue()).findFirst().orElse("");
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (var s : ss.getSpansList()) {
                            Map<String, String> attributes = new TreeMap<>();
                            for (KeyValue kv : s.getAttributesList()) {
                                attributes.put(kv.getKey(), kv.getValue().hasStringValue() ? kv.getValue().getStringValue() : kv.getValue().toString().trim());
                            }
                            spans.add(new ReceivedSpan(hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()), s.getName(),
                                    s.getKind().name(), service, attributes, s.getStatus().getCodeValue() == 2));
                        }
                    }
                }
                out.onNext(ExportTraceServiceResponse.getDefaultInstance());
                out.onCompleted();
            }
        }).build().start();
    }

    private static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    public static OtlpReceiver start() throws IOException {
        return new OtlpReceiver();
    }

    /** The endpoint a process's {@code tracing.endpoint} names. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Every span received so far of one trace. */
    public List<ReceivedSpan> trace(String traceId) {
        List<ReceivedSpan> out = new ArrayList<>();
        for (ReceivedSpan s : spans) {
            if (s.traceId().equals(traceId)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
