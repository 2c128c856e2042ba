package dev.meshwork.config;

import org.slf4j.bridge.SLF4JBridgeHandler;

/** How every Meshwork process logs: time-stamped lines, chatty libraries at WARN, java.util.logging routed to slf4j. */
public final class ProcessLogging {
    private ProcessLogging() {
    }

    /** Call first thing in a main method, before any logger exists. */
    public static void install() {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
