package dev.meshwork.router;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The executor that runs request work off the event loops and transport threads. */
final class RequestThreads {
    private RequestThreads() {
    }

    /** 0: a virtual thread per request (never starves while loads block); N: N platform threads. */
    static ExecutorService create(int threads) {
        if (threads <= 0) {
            return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("meshwork-request-", 0).factory());
        }
        return Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("meshwork-request-", 0).factory());
    }
}
