package dev.guardian.checks;

import java.util.Map;

import dev.guardian.config.Settings;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * {@code PING} must answer {@code PONG}. A server that is loading, busy, without a master or asking for a password
 * answers with an error reply: that reply is the reason. A client per attempt, closed afterwards, so a frozen
 * server cannot leave a poisoned pooled connection behind.
 */
public final class RedisCheck implements Check {
    private final Vertx vertx;
    private final Settings.Redis target;

    public RedisCheck(Vertx vertx, Settings.Redis target) {
        this.vertx = vertx;
        this.target = target;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String target() {
        return target.host() + ":" + target.port();
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        RedisOptions options = new RedisOptions().setConnectionString(target.connectionString())
                .setMaxPoolSize(1).setMaxPoolWaiting(1)
                .setNetClientOptions(new NetClientOptions()
                        .setConnectTimeout((int) target.timing().timeout().toMillis()));
        return Resources.using(() -> Uni.createFrom().item(Redis.createClient(vertx, options)),
                client -> UniHelper.toUni(client.connect())
                        .chain(conn -> UniHelper.toUni(conn.send(Request.cmd(Command.PING)))
                                .eventually(() -> UniHelper.toUni(conn.close()).onFailure().recoverWithNull()))
                        .map(reply -> {
                            String text = reply == null ? "(no reply)" : reply.toString();
                            if (!"PONG".equals(text)) {
                                throw new CheckFailure("PING answered \"" + text + "\" instead of PONG");
                            }
                            return Map.<String, Object>of();
                        }),
                Redis::close)
                .onFailure(f -> !(f instanceof CheckFailure)).transform(RedisCheck::classify);
    }

    private static Throwable classify(Throwable failure) {
        // Redis error replies (NOAUTH, WRONGPASS, LOADING, BUSY, MASTERDOWN, ...) start with an upper-case code.
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        if (message.matches("^[A-Z]{3,}\\b.*")) {
            return new CheckFailure("server replied: " + message);
        }
        return new CheckFailure(Failures.describe(failure));
    }
}
