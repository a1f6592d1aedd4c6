package dev.guardian.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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

    public FaultProxy(int targetPort) {
        client = vertx.createNetClient();
        server = vertx.createNetServer().connectHandler(front -> {
            front.pause();
            client.connect(targetPort, "127.0.0.1").onFailure(f -> front.close()).onSuccess(back -> {
                Pair pair = new Pair(front, back);
                pairs.add(pair);
                front.handler(back::write);
                back.handler(front::write);
                front.closeHandler(v -> {
                    pairs.remove(pair);
                    back.close();
                });
                back.closeHandler(v -> {
                    pairs.remove(pair);
                    front.close();
                });
                if (frozen) {
                    back.pause();
                } else {
                    front.resume();
                }
            });
        });
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
