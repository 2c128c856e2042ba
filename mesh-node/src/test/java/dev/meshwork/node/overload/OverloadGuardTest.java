package dev.meshwork.node.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OverloadGuardTest {
    static final ModelSpec MODEL = new ModelSpec("m", new ModelFormat("onnx", ""), "file:///m.onnx", "", 0);
    static final NodeConfig.Overload ONE_AT_A_TIME = new NodeConfig.Overload(true, 0.05, 1, 1, 1, 250, 250);

    @Test
    void aRequestPastTheLimitIsRefusedAtOnceWithRetryAfterAndCounted() throws Exception {
        OverloadGuard guard = new OverloadGuard("node-3", ONE_AT_A_TIME, 2);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        guard.instrument(meters);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> guard.run(MODEL, () -> {
            running.countDown();
            try {
                finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "first";
        }));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        long started = System.nanoTime();
        assertThatThrownBy(() -> guard.run(MODEL, () -> "second"))
                .isInstanceOfSatisfying(MeshError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.retryAfterMillis()).isEqualTo(250);
                    assertThat(e.getMessage()).contains("node node-3 is running its limit of 1 requests at once", "node.overload");
                });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("refused at once, not queued").isLessThan(1_000);
        assertThat(meters.get("meshwork.node.overload.refused").counter().count()).isEqualTo(1);
        assertThat(meters.get("meshwork.node.overload.inflight").gauge().value()).isEqualTo(1);

        finish.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(guard.run(MODEL, () -> "third")).as("the place came back").isEqualTo("third");
    }

    @Test
    void batchedModelsAndADisabledGuardAreNotCounted() throws Exception {
        OverloadGuard guard = new OverloadGuard("n", ONE_AT_A_TIME, 2);
        ModelSpec batched = MODEL.withBatching(Batching.ofMillis(8, 5));
        String inner = guard.run(MODEL, () -> guard.run(batched, () -> "batched passes"));
        assertThat(inner).isEqualTo("batched passes");
        OverloadGuard off = new OverloadGuard("n", new NodeConfig.Overload(false, 0.05, 1, 1, 1, 250, 250), 2);
        assertThat(off.run(MODEL, () -> off.run(MODEL, () -> "no limit"))).isEqualTo("no limit");
    }

    @Test
    void aFailedRequestGivesItsPlaceBack() {
        OverloadGuard guard = new OverloadGuard("n", ONE_AT_A_TIME, 2);
        assertThatThrownBy(() -> guard.run(MODEL, () -> {
            throw MeshError.invalid("bad input");
        })).hasMessageContaining("bad input");
        assertThat(guard.run(MODEL, () -> "next")).isEqualTo("next");
    }
}
