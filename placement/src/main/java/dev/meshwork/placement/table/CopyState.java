package dev.meshwork.placement.table;

/** The life of one copy of a model on a node, as nodes report it and the placement table holds it. */
public enum CopyState {
    LOADING, LOADED, FAILED, UNLOADING
}
