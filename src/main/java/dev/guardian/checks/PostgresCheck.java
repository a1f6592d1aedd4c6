package dev.guardian.checks;

import java.util.Map;

import dev.guardian.config.Settings;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;

/**
 * {@code SELECT 1} on a connection of its own, opened and closed per attempt: no pool that application load could
 * exhaust, and every attempt proves TCP, authentication and the database name afresh.
 */
public final class PostgresCheck implements Check {
    private final Vertx vertx;
    private final Settings.Postgres target;
    private final PgConnectOptions options;

    public PostgresCheck(Vertx vertx, Settings.Postgres target) {
        this.vertx = vertx;
        this.target = target;
        this.options = new PgConnectOptions().setHost(target.host()).setPort(target.port())
                .setDatabase(target.database()).setUser(target.user()).setPassword(target.password())
                .setConnectTimeout((int) target.timing().timeout().toMillis())
                .setCachePreparedStatements(false).setPipeliningLimit(1);
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String target() {
        return target.host() + ":" + target.port() + "/" + target.database();
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return Resources.using(() -> UniHelper.toUni(PgConnection.connect(vertx, options)),
                conn -> UniHelper.toUni(conn.query("SELECT 1").execute()).replaceWith(Map.<String, Object>of()),
                conn -> conn.close())
                .onFailure(f -> !(f instanceof CheckFailure)).transform(this::classify);
    }

    private Throwable classify(Throwable failure) {
        if (failure instanceof PgException pg) {
            String state = pg.getSqlState() == null ? "" : pg.getSqlState();
            String message = pg.getErrorMessage();
            return new CheckFailure(switch (state) {
                case "28P01", "28000" -> "authentication failed for user \"" + target.user() + "\" (SQLSTATE "
                        + state + ": " + message + ")";
                case "3D000" -> "database \"" + target.database() + "\" does not exist (SQLSTATE 3D000)";
                case "57P03" -> "server is starting up or shutting down (SQLSTATE 57P03: " + message + ")";
                case "53300" -> "too many connections (SQLSTATE 53300: " + message + ")";
                default -> "server error SQLSTATE " + state + ": " + message;
            });
        }
        return new CheckFailure(Failures.describe(failure));
    }
}
