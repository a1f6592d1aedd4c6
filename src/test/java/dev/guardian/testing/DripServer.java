package dev.guardian.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A raw TCP server that drips bytes to every connection, one at a time: by default an HTTP response's status line,
 * a byte every 200 ms; with {@link #forever} the same few bytes over and over without end, often enough that no idle
 * timeout ever fires. Records how many connections it accepted, how many were open at once and how long the longest
 * stayed open, so tests can see whether a client gives up on a peer that never finishes.
 */
public final class DripServer implements AutoCloseable {
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;
    private final byte[] drip;
    private final AtomicLong accepted = new AtomicLong();
    private final Lifetimes<NetSocket> connections = new Lifetimes<>();

    public DripServer() {
        this(RESPONSE, Duration.ofMillis(200), false);
    }

    /** Sends {@code pattern} a byte every {@code every}, over and over for as long as the client stays. */
    public static DripServer forever(byte[] pattern, Duration every) {
        return new DripServer(pattern, every, true);
    }

    private DripServer(byte[] drip, Duration every, boolean repeat) {
        this.drip = drip.clone();
        server = vertx.createNetServer().connectHandler(socket -> {
            accepted.incrementAndGet();
            connections.opened(socket);
            long[] at = { 0 };
            socket.handler(ignored -> {
            });
            socket.exceptionHandler(ignored -> {
                // a reset is a close too
            });
            long timer = vertx.setPeriodic(every.toMillis(), id -> {
                if (repeat || at[0] < this.drip.length) {
                    socket.write(Buffer.buffer(new byte[] { this.drip[(int) (at[0]++ % this.drip.length)] }));
                }
            });
            socket.closeHandler(v -> {
                vertx.cancelTimer(timer);
                connections.closed(socket);
            });
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    public int port() {
        return server.actualPort();
    }

    /** Connections accepted since the server started. */
    public long accepted() {
        return accepted.get();
    }

    /** The most connections that were open at the same time. */
    public int mostOpen() {
        return connections.mostOpen();
    }

    /** How long the longest-lived connection was open, counting those still open up to now. */
    public long longestOpenMillis() {
        return connections.longestMillis();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
