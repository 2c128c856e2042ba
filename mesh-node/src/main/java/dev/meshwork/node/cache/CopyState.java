package dev.meshwork.node.cache;

/** The life of one loaded copy of a model on a node. */
public enum CopyState {
    LOADING, LOADED, FAILED, UNLOADING
}
