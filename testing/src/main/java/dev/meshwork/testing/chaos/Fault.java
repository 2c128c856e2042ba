package dev.meshwork.testing.chaos;

/** A fault the chaos run injects into one process of the cluster. */
public enum Fault {
    KILL_NODE("kill -9 of a node (started again after a pause)"),
    KILL_ROUTER("kill -9 of a router (started again after a pause)"),
    HANG_NODE("SIGSTOP of a node for a while, then SIGCONT"),
    RESTART_NODE("a node restarted (SIGTERM: it drains, then starts again)"),
    RESTART_ROUTER("a router restarted (SIGTERM, then started again)");

    private final String description;

    Fault(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public boolean onNode() {
        return this == KILL_NODE || this == HANG_NODE || this == RESTART_NODE;
    }
}
