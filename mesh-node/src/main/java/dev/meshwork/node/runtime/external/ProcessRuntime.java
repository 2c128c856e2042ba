package dev.meshwork.node.runtime.external;

/** A runtime that lives in another process and may go away: the node drops the slot's copies when it does. */
public interface ProcessRuntime {
    /** Called (on a watcher thread) when the process stops answering. */
    void onLost(Runnable listener);
}
