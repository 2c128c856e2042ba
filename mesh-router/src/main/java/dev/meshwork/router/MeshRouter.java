package dev.meshwork.router;

import dev.meshwork.router.mesh.ModelService;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * A running router, standalone or in a cluster: what Main and tests need to know of it. Each mode
 * hands in its front door once it has built the backend and registries behind it.
 */
public abstract class MeshRouter implements AutoCloseable {
    private FrontDoor door;

    /** Called once by the subclass's constructor. */
    final void opened(FrontDoor frontDoor) {
        this.door = frontDoor;
    }

    final FrontDoor door() {
        return door;
    }

    public final int httpPort() {
        return door.httpPort();
    }

    public final int grpcPort() {
        return door.grpcPort();
    }

    public final ModelService service() {
        return door.service();
    }

    /** The process's meters (what {@code GET /metrics} renders). */
    public final MeterRegistry metrics() {
        return door.metrics();
    }

    /** The models registered from the example documents. */
    public final List<String> registered() {
        return door.registered();
    }

    /** One line for the banner: which mode, and with what. */
    public abstract String describe();

    /** Stops serving; a cluster router also leaves the cluster. */
    @Override
    public abstract void close();
}
