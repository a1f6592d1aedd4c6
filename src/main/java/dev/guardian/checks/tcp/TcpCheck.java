package dev.guardian.checks.tcp;

import java.time.Duration;
import java.util.Map;

import dev.guardian.checks.Connections;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/** The dependency accepts a TCP connection within the deadline; the connection is closed at once. */
final class TcpCheck implements Check {
    private final NetClient client;
    private final TcpAddress target;
    private final Connections<NetSocket> connections = new Connections<>(NetSocket::close);

    TcpCheck(Vertx vertx, TcpAddress target, Duration timeout) {
        this.target = target;
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) timeout.toMillis()));
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return connections.using(() -> UniHelper.toUni(client.connect(target.port(), target.host())),
                socket -> Uni.createFrom().item(Map.<String, Object>of()))
                .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> new CheckFailure(Failures.describe(f)));
    }
}
