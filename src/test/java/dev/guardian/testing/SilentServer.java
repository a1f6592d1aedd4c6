package dev.guardian.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;

/**
 * Accepts TCP connections and never sends a byte: a pooler in front of a dead database, a hung service. Counts the
 * connections open right now and all it ever accepted, so tests can see what a client leaves behind.
 */
public final class SilentServer implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();

    public SilentServer() {
        server = vertx.createNetServer().connectHandler(socket -> {
            accepted.incrementAndGet();
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            socket.handler(ignored -> {
                // read and drop whatever the client says
            });
            socket.exceptionHandler(ignored -> {
                // a reset is a close too
            });
            socket.closeHandler(v -> open.decrementAndGet());
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    public int port() {
        return server.actualPort();
    }

    /** Connections open right now. */
    public int open() {
        return open.get();
    }

    /** The most connections that were open at the same time. */
    public int mostOpen() {
        return mostOpen.get();
    }

    /** Connections accepted since the server started. */
    public long accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
