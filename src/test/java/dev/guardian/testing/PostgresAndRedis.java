package dev.guardian.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Postgres and a real Redis for a test class, started before its tests and stopped after them. Register as a
 * static {@code @RegisterExtension} field.
 */
public final class PostgresAndRedis implements BeforeAllCallback, AfterAllCallback {
    private PostgresServer pg;
    private RedisServer redis;

    public PostgresServer pg() {
        return pg;
    }

    public RedisServer redis() {
        return redis;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        pg = PostgresServer.started();
        redis = RedisServer.started();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (redis != null) {
            redis.close();
        }
        if (pg != null) {
            pg.close();
        }
    }
}
