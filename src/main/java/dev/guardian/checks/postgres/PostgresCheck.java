package dev.guardian.checks.postgres;

import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.guardian.checks.Connections;
import dev.guardian.checks.Tls;
import dev.guardian.checks.TrustWitness;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.spi.ConnectionFactory;

/**
 * {@code SELECT 1} on a connection of its own, opened and closed per attempt: no pool that application load could
 * exhaust, and every attempt proves TCP, TLS, authentication and the database name afresh. At most one connection is
 * in progress, and the whole of connect, TLS, startup, authentication and {@code SELECT 1} is under the attempt's
 * deadline: when it passes, the connection's own client is closed, socket and all, whatever the server is doing (a
 * frozen server, a pooler in front of a dead one, a peer dripping a byte at a time), so none collects Guardian's
 * connections.
 */
final class PostgresCheck implements Check {
    private final Vertx vertx;
    private final PostgresUrl target;
    private final PgConnectOptions options;
    private final Connections<Client> connections = new Connections<>(Client::close);
    /** Why the server's certificate was refused, which the client itself reports only as "SSL handshake failed". */
    private final TrustWitness witness;

    PostgresCheck(Vertx vertx, PostgresUrl target, Duration timeout) {
        this.vertx = vertx;
        this.target = target;
        int millis = (int) Math.max(1, timeout.toMillis());
        // These bound TCP and TLS only; the attempt's deadline closes the connection's client (see connect()).
        this.options = new PgConnectOptions(target.options()).setConnectTimeout(millis).setSslHandshakeTimeout(millis)
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        this.witness = options.getTrustOptions() == null ? null : TrustWitness.of(options.getTrustOptions(), vertx);
        if (witness != null) {
            options.setTrustOptions(TrustOptions.wrap(witness));
        }
    }

    /** A connection and the client that made it, its only owner: closing the client closes its socket. */
    private record Client(SqlConnection connection, ConnectionFactory factory) {
        /** Ends the session as the protocol asks (Terminate), then closes the socket. */
        void close() {
            connection.close().onComplete(done -> closeFactory(factory));
        }
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return connections.aborting(this::connect, client -> UniHelper.toUni(client.connection().query("SELECT 1")
                .execute()).replaceWith(Map.<String, Object>of()))
                .onFailure(f -> !(f instanceof CheckFailure)).transform(this::classify);
    }

    /**
     * A client of its own per connection: {@code PgConnection.connect} gives no handle on a handshake in progress,
     * and its idle timeout never fires against a server that drips a byte just often enough. Closing the client
     * closes the socket at any stage, and one that connects after the close is closed on arrival.
     */
    private Connections.Pending<Client> connect() {
        if (witness != null) {
            witness.forget(); // at most one connection is in progress: a refusal seen from now on is this one's
        }
        ConnectionFactory factory = PgDriver.INSTANCE.createConnectionFactory(vertx, options);
        Uni<Client> client = UniHelper.toUni(factory.connect(vertx.getOrCreateContext()))
                .map(conn -> new Client(conn, factory)).onFailure().invoke(() -> closeFactory(factory));
        return new Connections.Pending<>(client, () -> closeFactory(factory));
    }

    private static void closeFactory(ConnectionFactory factory) {
        factory.close(Promise.promise());
    }

    private Throwable classify(Throwable failure) {
        if (failure instanceof PgException pg) {
            String state = pg.getSqlState() == null ? "" : pg.getSqlState();
            String message = pg.getErrorMessage();
            return new CheckFailure(switch (state) {
                case "28P01", "28000" -> "authentication failed for user \"" + options.getUser() + "\" (SQLSTATE "
                        + state + ": " + message + ")";
                case "3D000" -> "database \"" + options.getDatabase() + "\" does not exist (SQLSTATE 3D000)";
                case "57P03" -> "server is starting up or shutting down (SQLSTATE 57P03: " + message + ")";
                case "53300" -> "too many connections (SQLSTATE 53300: " + message + ")";
                default -> "server error SQLSTATE " + state + ": " + message;
            });
        }
        String message = String.valueOf(failure.getMessage());
        if (message.contains("does not handle SSL") || message.contains("does not support SSL")) {
            return new CheckFailure("the server does not accept TLS (" + target.sslSetting() + ")");
        }
        if (options.isUsingDomainSocket() && causedBy(failure, FileNotFoundException.class)) {
            return new CheckFailure("no Unix socket " + options.getSocketAddress().path() + ": no server listens "
                    + "there (is the directory right, and the port that names the socket?)");
        }
        Throwable refusal = witness == null ? null : witness.refusal();
        String tls = Tls.describe(refusal != null ? refusal : failure, options.getHost(), target.sslSetting());
        return new CheckFailure(tls != null ? tls : Failures.describe(failure));
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
