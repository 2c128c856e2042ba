package dev.meshwork.state.store;

import java.util.Map;

/** A process that opens a shared H2 registry file (as a router does at start), saves one row and exits: 0 on success. */
public final class OpenSharedStore {
    private OpenSharedStore() {
    }

    public static void main(String[] args) throws Exception {
        long startAt = Long.parseLong(args[1]);
        while (System.currentTimeMillis() < startAt) {
            Thread.onSpinWait(); // both processes open the file at the same moment
        }
        try (JdbcRegistryStore store = new JdbcRegistryStore(args[0], "", "")) {
            store.save("model", args[2], Map.of("id", args[2]));
            if (args.length > 3) {
                System.out.println("holding");
                Thread.sleep(Long.parseLong(args[3])); // the router that serves the file, until it is killed
            }
        }
        System.out.println("saved " + args[2]);
    }
}
