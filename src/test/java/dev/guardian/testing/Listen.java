package dev.guardian.testing;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;

/** Waits for a test server's listen (or close) to complete; fails the test if it does not within 10 s. */
final class Listen {
    private Listen() {
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
