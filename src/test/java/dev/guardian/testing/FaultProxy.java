package dev.guardian.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP proxy on loopback between Guardian and a server, for real faults on the path: {@link #freeze()} stops
 * forwarding in both directions (bytes wait in kernel buffers, as behind a black-holing middlebox) and
 * {@link #thaw()} lets them through again.
 */
public final class FaultProxy implements AutoCloseable {
    private record Pair(NetSocket front, NetSocket back) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;
    private final NetClient client;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private volatile boolean frozen;
    private volatile long delayMillis;
    private volatile long bytesPerSecond;
    private volatile boolean downstreamFrozen;
    private final java.util.Map<NetSocket, java.util.concurrent.atomic.AtomicLong> nextFree =
            new ConcurrentHashMap<>();

    public FaultProxy(int targetPort) {
        // SO_LINGER 0: closing a connection sends a TCP reset, so reset() is a real RST on both sides.
        client = vertx.createNetClient(new io.vertx.core.net.NetClientOptions().setSoLinger(0));
        server = vertx.createNetServer(new io.vertx.core.net.NetServerOptions().setSoLinger(0)).connectHandler(front -> {
            front.pause();
            client.connect(targetPort, "127.0.0.1").onFailure(f -> front.close()).onSuccess(back -> {
                Pair pair = new Pair(front, back);
                pairs.add(pair);
                front.handler(b -> forward(b, front, back, false));
                back.handler(b -> forward(b, back, front, true));
                front.closeHandler(v -> {
                    pairs.remove(pair);
                    back.close();
                });
                back.closeHandler(v -> {
                    pairs.remove(pair);
                    front.close();
                });
                if (frozen || downstreamFrozen) {
                    back.pause();
                }
                if (!frozen) {
                    front.resume();
                }
            });
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    /**
     * Writes after the configured delay (added latency), at once otherwise. Without delay the reader is paused
     * while the writer's queue is full, so a flooding peer cannot fill this JVM's heap.
     */
    private void forward(io.vertx.core.buffer.Buffer bytes, NetSocket from, NetSocket to, boolean fromBackend) {
        long delay = delayMillis;
        long bps = bytesPerSecond;
        if (bps > 0) {
            // Bandwidth: each direction sends its bytes no faster than bps, queued one after another.
            long now = System.currentTimeMillis();
            long done = nextFree.computeIfAbsent(to, k -> new java.util.concurrent.atomic.AtomicLong())
                    .accumulateAndGet(now, (free, n) -> Math.max(free, n) + bytes.length() * 1000L / bps);
            delay += done - now;
        }
        if (delay <= 0) {
            to.write(bytes);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> {
                    if (!frozen && !(fromBackend && downstreamFrozen)) {
                        from.resume();
                    }
                });
            }
        } else {
            vertx.setTimer(delay, id -> to.write(bytes));
        }
    }

    /** Limits each direction to {@code bps} bytes a second (0: unlimited). */
    public void throttle(long bps) {
        bytesPerSecond = bps;
    }

    /**
     * Half-open: requests still reach the server, its answers never come back (as when the return path is gone).
     */
    public void freezeDownstream() {
        downstreamFrozen = true;
        pairs.forEach(p -> p.back().pause());
    }

    /** Adds {@code millis} of latency in each direction. */
    public void delay(long millis) {
        delayMillis = millis;
    }

    /** Resets every connection on the path at once (TCP RST both ways). */
    public void reset() {
        pairs.forEach(p -> {
            p.front().close();
            p.back().close();
        });
    }

    public int port() {
        return server.actualPort();
    }

    public void freeze() {
        frozen = true;
        pairs.forEach(p -> {
            p.front().pause();
            p.back().pause();
        });
    }

    public void thaw() {
        frozen = false;
        downstreamFrozen = false;
        pairs.forEach(p -> {
            p.front().resume();
            p.back().resume();
        });
    }

    @Override
    public void close() {
        vertx.close();
    }
}
