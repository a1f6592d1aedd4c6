package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.guardian.testing.GuardianProcess;

/** Bad configuration stops startup: non-zero exit, one line per problem naming property and environment variable. */
class ConfigRefusalIT {
    private static final String SECRET = "Sup3r-Secret-In-Url";

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://guardian:" + SECRET + "@127.0.0.1:5432/chat oops",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://***@127.0.0.1:5432/chat oops\": is not a valid URL"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "mysql://guardian:" + SECRET + "@127.0.0.1/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"mysql://guardian:***@127.0.0.1/chat\": has unknown scheme \"mysql\"; use postgresql:// or postgres://"),
                Arguments.of("GUARDIAN_REDIS_URL", "http://127.0.0.1:6379",
                        "guardian.redis.url (GUARDIAN_REDIS_URL) = \"http://127.0.0.1:6379\": has unknown scheme \"http\"; use redis:// or rediss://"),
                Arguments.of("GUARDIAN_AUTH_URL", "ftp://auth.example.com/health",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"ftp://auth.example.com/health\": has unknown scheme \"ftp\"; use http:// or https://"),
                Arguments.of("GUARDIAN_AUTH_URL", "https:///health",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"https:///health\": names no host"),
                Arguments.of("GUARDIAN_STARTUP_BUDGET", "0s",
                        "guardian.startup.budget (GUARDIAN_STARTUP_BUDGET) = \"0s\": use a positive duration"),
                Arguments.of("GUARDIAN_STARTUP_BUDGET", "-5s",
                        "guardian.startup.budget (GUARDIAN_STARTUP_BUDGET) = \"-5s\": use a positive duration"),
                Arguments.of("GUARDIAN_REDIS_TIMEOUT", "soon",
                        "guardian.redis.timeout (GUARDIAN_REDIS_TIMEOUT) = \"soon\": use a positive duration such as 250ms, 2s, 1m or PT20S"),
                Arguments.of("GUARDIAN_REDIS_INTERVAL", "0ms",
                        "guardian.redis.interval (GUARDIAN_REDIS_INTERVAL) = \"0ms\": use a positive duration"),
                Arguments.of("GUARDIAN_REDIS_FAILURE_THRESHOLD", "0",
                        "guardian.redis.failure-threshold (GUARDIAN_REDIS_FAILURE_THRESHOLD) = \"0\": use a whole number of at least 1"),
                Arguments.of("GUARDIAN_REDIS_SUCCESS_THRESHOLD", "-1",
                        "guardian.redis.success-threshold (GUARDIAN_REDIS_SUCCESS_THRESHOLD) = \"-1\": use a whole number of at least 1"),
                Arguments.of("GUARDIAN_REDIS_TIMEOUT", "30s",
                        "guardian.startup.budget (GUARDIAN_STARTUP_BUDGET) = \"20s\": is shorter than guardian.redis.timeout (GUARDIAN_REDIS_TIMEOUT) = 30s"));
    }

    @ParameterizedTest
    @MethodSource("badConfigurations")
    void refusesToStart(String variable, String value, String expectedLine) {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_REDIS_URL", "redis://127.0.0.1:1", variable, value)
                .start()) {
            int exit = g.awaitExit(Duration.ofSeconds(30));
            assertEquals(1, exit, g.output());
            assertTrue(g.output().contains("Guardian refuses to start: 1 configuration problem\n"), g.output());
            assertTrue(g.output().contains(expectedLine), () -> "expected <" + expectedLine + "> in:\n" + g.output());
            assertFalse(g.output().contains(SECRET), g.output());
            assertFalse(g.output().contains("state STARTING"), "no check may run: " + g.output());
        }
    }

    @Test
    void reportsEveryProblemAtOnce() {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_POSTGRES_URL", "oracle://x", "GUARDIAN_STARTUP_BUDGET",
                "forever", "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", "none", "GUARDIAN_JITTER", "3").start()) {
            assertEquals(1, g.awaitExit(Duration.ofSeconds(30)), g.output());
            assertTrue(g.output().contains("Guardian refuses to start: 4 configuration problems"), g.output());
            for (String property : new String[] { "GUARDIAN_POSTGRES_URL", "GUARDIAN_STARTUP_BUDGET",
                    "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", "GUARDIAN_JITTER" }) {
                assertTrue(g.output().lines().filter(l -> l.contains("(" + property + ")")).count() == 1,
                        property + " on exactly one line:\n" + g.output());
            }
        }
    }
}
