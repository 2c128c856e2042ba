package dev.meshwork.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out loopback ports for a process to bind later, chosen below the kernel's ephemeral range.
 *
 * <p>A port taken from {@code bind(0)} and released is soon handed to the next {@code bind(0)}
 * of any process: CI saw a router's H2 auto-server take the cluster port reserved for that same
 * router, whose Hazelcast then joined "itself" through H2 and waited for an answer forever. Ports
 * below {@code ip_local_port_range} are never given out by {@code bind(0)}, so only another
 * explicit choice can collide, which the in-JVM set rules out and randomness makes unlikely across
 * JVMs. Thread-safe: test threads starting members in parallel call it at once.
 */
public final class FreePorts {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A loopback port nothing listens on now, not handed out before by this JVM. */
    public static int next() throws IOException {
        int below = ephemeralStart();
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (GIVEN.contains(port) || !bindable(port)) {
                continue;
            }
            if (GIVEN.add(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port between " + LOWEST + " and " + below + " after " + ATTEMPTS + " tries");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The first ephemeral port; 32768 (Linux's default) where the kernel does not say. */
    static int ephemeralStart() {
        try {
            String[] range = Files.readString(RANGE).trim().split("\\s+");
            int start = Integer.parseInt(range[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException unknown) {
            return 32_768;
        }
    }
}
