package dev.meshwork.node.cache;

/** The phases of one load, in order, as {@code meshwork_model_load_phase_seconds} tags them. */
public enum LoadPhase {
    /** The artifact into the local cache (at once for a local file or a cached download). */
    DOWNLOAD,
    /** Downloaded, waiting for a load thread. */
    QUEUED,
    /** The size prediction and waiting for room: evictions, and copies still pinned by requests. */
    ROOM,
    /** The runtime reading and loading the model, with the checks before it. */
    RUNTIME;

    /** The tag value. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
