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
                Arguments.of("GUARDIAN_AUTH_URL", "https://auth.example.com/health?token=" + SECRET + " x",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"https://auth.example.com/health?***\": is not a valid URL"),
                Arguments.of("GUARDIAN_AUTH_URL", "ftp://auth.example.com/health",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"ftp://auth.example.com/health\": has unknown scheme \"ftp\"; use http:// or https://"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://guardian:pa/" + SECRET + "@127.0.0.1/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://***@127.0.0.1/chat\": names no host; use postgresql://user:password@host:5432/database (percent-encode special characters in the password)"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://guardian:pa#" + SECRET + "@127.0.0.1/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://***@127.0.0.1/chat\": names no host"),
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

    static Stream<Arguments> badBackendConfigurations() {
        return Stream.of(
                Arguments.of("GUARDIAN_BACKEND_URL", "http://127.0.0.1:8080/ws",
                        "guardian.backend.url (GUARDIAN_BACKEND_URL) = \"http://127.0.0.1:8080/ws\": has unknown scheme \"http\"; use ws:// or wss://"),
                Arguments.of("GUARDIAN_BACKEND_SCRIPT", "{\"send\": \"hi\"}",
                        "guardian.backend.script (GUARDIAN_BACKEND_SCRIPT): must be a non-empty JSON array of steps"),
                Arguments.of("GUARDIAN_BACKEND_SCRIPT", "[{\"send\": \"hi\"}, {\"wait\": 1}]",
                        "guardian.backend.script (GUARDIAN_BACKEND_SCRIPT): step 2 needs one of \"send\", \"expect\", \"expectRegex\" or a non-empty \"expectSequence\""),
                Arguments.of("GUARDIAN_BACKEND_SCRIPT", "[{\"expectRegex\": \"(unclosed\"}]",
                        "guardian.backend.script (GUARDIAN_BACKEND_SCRIPT): step 1 has an invalid regular expression"),
                Arguments.of("GUARDIAN_BACKEND_SCRIPT", "[{\"send\": \"hi\"",
                        "guardian.backend.script (GUARDIAN_BACKEND_SCRIPT): is not valid JSON"),
                Arguments.of("GUARDIAN_BACKEND_HEADERS", "Authorization Bearer " + SECRET,
                        "guardian.backend.headers (GUARDIAN_BACKEND_HEADERS): an entry has no ':'; write Name: value pairs separated by ;"),
                Arguments.of("GUARDIAN_BACKEND_SESSIONS", "0",
                        "guardian.backend.sessions (GUARDIAN_BACKEND_SESSIONS) = \"0\": use a whole number from 1 to 100"),
                Arguments.of("GUARDIAN_BACKEND_AUTH_MODE", "oauth",
                        "guardian.backend.auth.mode (GUARDIAN_BACKEND_AUTH_MODE) = \"oauth\": use none, bearer, jwt or client-credentials"),
                Arguments.of("GUARDIAN_BACKEND_AUTH_MODE", "bearer",
                        "guardian.backend.auth.token-env (GUARDIAN_BACKEND_AUTH_TOKEN_ENV): with auth mode bearer set exactly one of"),
                Arguments.of("GUARDIAN_LOAD_BALANCER_PROFILE", "haproxy",
                        "guardian.load-balancer.profile (GUARDIAN_LOAD_BALANCER_PROFILE) = \"haproxy\": use one of none, gcp-https-lb, cloud-run, aws-alb, nginx, cloudflare"),
                Arguments.of("GUARDIAN_HEARTBEAT_PONG_TIMEOUT", "0s",
                        "guardian.heartbeat.pong-timeout (GUARDIAN_HEARTBEAT_PONG_TIMEOUT) = \"0s\": use a positive duration"),
                Arguments.of("GUARDIAN_BACKEND_UPGRADE_TIMEOUT", "20s",
                        "guardian.backend.timeout (GUARDIAN_BACKEND_TIMEOUT) = \"10s\": must be at least guardian.backend.connect-timeout + guardian.backend.upgrade-timeout = 22s"));
    }

    @ParameterizedTest
    @MethodSource("badBackendConfigurations")
    void refusesABadBackendConfiguration(String variable, String value, String expectedLine) {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws", variable, value)
                .start()) {
            assertEquals(1, g.awaitExit(Duration.ofSeconds(30)), g.output());
            assertTrue(g.output().contains(expectedLine), () -> "expected <" + expectedLine + "> in:\n" + g.output());
            assertFalse(g.output().contains(SECRET), g.output());
        }
    }

    static Stream<Arguments> unsafeHeartbeats() {
        return Stream.of(
                // The incident: the backend pinged every 45 s behind a balancer that allowed 30 s.
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-https-lb",
                        "GUARDIAN_BACKEND_HEARTBEAT_INTERVAL", "45s" },
                        "guardian.backend.heartbeat-interval (GUARDIAN_BACKEND_HEARTBEAT_INTERVAL) = \"45s\": unsafe behind load-balancer profile gcp-https-lb, whose limit is 30s (lifetime cap: Google Cloud HTTP(S) load balancer backend service timeout (default 30s), a cap on the whole connection lifetime, idle or not); the backend's heartbeat must be at most half of it; the largest safe value is 15s"),
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "aws-alb",
                        "GUARDIAN_HEARTBEAT_INTERVAL", "40s" },
                        "guardian.heartbeat.interval (GUARDIAN_HEARTBEAT_INTERVAL) = \"40s\": unsafe behind load-balancer profile aws-alb, whose limit is 60s (idle timeout: AWS Application Load Balancer idle timeout (default 60s)); interval + pong-timeout (5s) must be at most half of it; the largest safe value is 25s"),
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "nginx",
                        "GUARDIAN_LOAD_BALANCER_IDLE_TIMEOUT", "20s" },
                        "guardian.heartbeat.interval (GUARDIAN_HEARTBEAT_INTERVAL) = \"10s\": unsafe behind load-balancer profile nginx, whose limit is 20s (idle timeout: nginx proxy_read_timeout (default 60s)); interval + pong-timeout (5s) must be at most half of it; the largest safe value is 5s"),
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "cloudflare",
                        "GUARDIAN_HEARTBEAT_PONG_TIMEOUT", "60s" },
                        "guardian.heartbeat.interval (GUARDIAN_HEARTBEAT_INTERVAL) = \"10s\": unsafe behind load-balancer profile cloudflare, whose limit is 100s (idle timeout: Cloudflare proxy idle timeout (about 100s)); interval + pong-timeout (60s) must be at most half of it; lower guardian.heartbeat.pong-timeout first"),
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "cloud-run",
                        "GUARDIAN_LOAD_BALANCER_MAX_LIFETIME", "7200s" },
                        "guardian.load-balancer.max-lifetime (GUARDIAN_LOAD_BALANCER_MAX_LIFETIME) = \"120m\": Cloud Run's request timeout is at most 3600s"));
    }

    @ParameterizedTest
    @MethodSource("unsafeHeartbeats")
    void refusesUnsafeHeartbeatIntervals(String[] env, String expectedLine) {
        try (GuardianProcess started = GuardianProcess.with("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws").env(env)
                .start()) {
            assertEquals(1, started.awaitExit(Duration.ofSeconds(30)), started.output());
            assertTrue(started.output().contains(expectedLine),
                    () -> "expected <" + expectedLine + "> in:\n" + started.output());
        }
    }

    @ParameterizedTest
    @MethodSource("safeHeartbeats")
    void startsWithSafeHeartbeatIntervals(String profile, String interval) {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws",
                "GUARDIAN_LOAD_BALANCER_PROFILE", profile, "GUARDIAN_HEARTBEAT_INTERVAL", interval)
                .start().awaitListening()) {
            assertEquals("STARTING", g.health().state(), g.output());
        }
    }

    static Stream<Arguments> safeHeartbeats() {
        return Stream.of(Arguments.of("gcp-https-lb", "10s"), Arguments.of("aws-alb", "25s"),
                Arguments.of("cloudflare", "45s"), Arguments.of("cloud-run", "2m"), Arguments.of("none", "10m"));
    }

    @Test
    void jwtProblemsAreNamedWithoutShowingTheSecret() {
        String secret = "short-" + SECRET;
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws",
                "GUARDIAN_BACKEND_AUTH_MODE", "jwt", "GUARDIAN_BACKEND_AUTH_JWT_SECRET", secret.substring(0, 20),
                "GUARDIAN_BACKEND_AUTH_JWT_LIFETIME", "10m").start()) {
            assertEquals(1, g.awaitExit(Duration.ofSeconds(30)), g.output());
            assertTrue(g.output().contains("guardian.backend.auth.jwt-secret (GUARDIAN_BACKEND_AUTH_JWT_SECRET): is "
                    + "shorter than 32 bytes; HS256 needs a 256-bit secret"), g.output());
            assertTrue(g.output().contains("guardian.backend.auth.jwt-lifetime (GUARDIAN_BACKEND_AUTH_JWT_LIFETIME) = "
                    + "\"10m\": must be at most 5m"), g.output());
            assertFalse(g.output().contains(secret.substring(0, 20)), g.output());
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
