package dev.guardian.checks.redis;

import java.util.Map;

import dev.guardian.checks.Connections;
import dev.guardian.checks.Tls;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * {@code PING} must answer {@code PONG}. A server that is loading, busy, without a master or asking for a password
 * answers with an error reply: that reply is the reason. A client and a connection per attempt, closed afterwards, so
 * a frozen server cannot leave a poisoned pooled connection behind; at most one connection in progress.
 */
final class RedisCheck implements Check {
    private final Vertx vertx;
    private final RedisOptions options;
    private final String host;
    private final String tlsSetting;
    private final Connections<Client> connections = new Connections<>(Client::close);

    /** @param tlsSetting how TLS was asked for, for reasons; null without TLS */
    RedisCheck(Vertx vertx, RedisOptions options, String host, String tlsSetting) {
        this.vertx = vertx;
        this.options = options;
        this.host = host;
        this.tlsSetting = tlsSetting;
    }

    /** A client and its one connection, closed together. */
    private record Client(Redis redis, RedisConnection connection) {
        void close() {
            connection.close();
            redis.close();
        }
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return connections.using(this::connect,
                client -> UniHelper.toUni(client.connection().send(Request.cmd(Command.PING))).map(reply -> {
                    String text = reply == null ? "(no reply)" : reply.toString();
                    if (!"PONG".equals(text)) {
                        throw new CheckFailure("PING answered \"" + text + "\" instead of PONG");
                    }
                    return Map.<String, Object>of();
                }))
                .onFailure(f -> !(f instanceof CheckFailure)).transform(this::classify);
    }

    private Uni<Client> connect() {
        Redis redis = Redis.createClient(vertx, options);
        return UniHelper.toUni(redis.connect()).map(conn -> new Client(redis, conn))
                .onFailure().invoke(redis::close);
    }

    private Throwable classify(Throwable failure) {
        // TLS first: "PKIX path building failed" starts with upper-case letters too.
        String tls = tlsSetting == null ? null : Tls.describe(failure, host, tlsSetting);
        if (tls != null) {
            return new CheckFailure(tls);
        }
        // Redis error replies (NOAUTH, WRONGPASS, LOADING, BUSY, MASTERDOWN, ...) start with an upper-case code.
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        if (message.matches("^[A-Z]{3,}\\b.*")) {
            return new CheckFailure("server replied: " + message);
        }
        return new CheckFailure(Failures.describe(failure));
    }
}
