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
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;

/**
 * {@code SELECT 1} on a connection of its own, opened and closed per attempt: no pool that application load could
 * exhaust, and every attempt proves TCP, TLS, authentication and the database name afresh. At most one connection is
 * in progress, and a server that stops answering mid-handshake has its socket closed at the attempt's deadline, so a
 * frozen server (or a pooler in front of a dead one) never collects Guardian's connections.
 */
final class PostgresCheck implements Check {
    private final Vertx vertx;
    private final PostgresUrl target;
    private final PgConnectOptions options;
    private final Connections<PgConnection> connections = new Connections<>(PgConnection::close);
    /** Why the server's certificate was refused, which the client itself reports only as "SSL handshake failed". */
    private final TrustWitness witness;

    PostgresCheck(Vertx vertx, PostgresUrl target, Duration timeout) {
        this.vertx = vertx;
        this.target = target;
        int millis = (int) Math.max(1, timeout.toMillis());
        // connectTimeout bounds only TCP; the idle timeout closes a socket on which the handshake stopped answering.
        this.options = new PgConnectOptions(target.options()).setConnectTimeout(millis).setIdleTimeout(millis)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setSslHandshakeTimeout(millis)
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        this.witness = options.getTrustOptions() == null ? null : TrustWitness.of(options.getTrustOptions(), vertx);
        if (witness != null) {
            options.setTrustOptions(TrustOptions.wrap(witness));
        }
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return connections.using(this::connect,
                conn -> UniHelper.toUni(conn.query("SELECT 1").execute()).replaceWith(Map.<String, Object>of()))
                .onFailure(f -> !(f instanceof CheckFailure)).transform(this::classify);
    }

    private Uni<PgConnection> connect() {
        if (witness != null) {
            witness.forget(); // at most one connection is in progress: a refusal seen from now on is this one's
        }
        return UniHelper.toUni(PgConnection.connect(vertx, options));
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
