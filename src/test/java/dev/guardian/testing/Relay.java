package dev.guardian.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;

/**
 * Forwards TCP from an address of the host (e.g. the host end of a {@link NetworkNamespace}'s veth pair) to a
 * server on the host's loopback, so that a process in another network namespace reaches the test's Redis,
 * Postgres, auth stub and chat backend as it would reach them across a network.
 */
public final class Relay implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;
    private final String host;

    public Relay(String host, int loopbackPort) {
        this.host = host;
        NetClient client = vertx.createNetClient();
        server = vertx.createNetServer().connectHandler(front -> {
            front.pause();
            client.connect(loopbackPort, "127.0.0.1").onFailure(f -> front.close()).onSuccess(back -> {
                front.pipeTo(back);
                back.pipeTo(front);
                front.resume();
            });
        });
        Listen.await(server.listen(0, host));
    }

    /** {@code host:port} where the relay listens. */
    public String address() {
        return host + ":" + server.actualPort();
    }

    @Override
    public void close() {
        Listen.await(vertx.close());
    }
}
