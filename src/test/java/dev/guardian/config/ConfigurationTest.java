package dev.guardian.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.guardian.InMemoryGuardian;
import dev.guardian.Plan;
import dev.guardian.engine.CheckSpec;
import dev.guardian.engine.Role;
import dev.guardian.engine.Secrets;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * What a configuration is refused with, in Guardian's words (property, environment variable, what would be valid,
 * never a secret), or what it turns into. Read as the application reads it, in memory: no process is started.
 */
class ConfigurationTest {
    private static final String SECRET = "Sup3r-Secret-In-Url";
    private static final Vertx VERTX = Vertx.vertx();

    @AfterAll
    static void close() {
        VERTX.close();
    }

    /** Names in capitals are environment variables, the others system properties ({@code -Dguardian...}). */
    private static Plan plan(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            (keyValues[i].startsWith("GUARDIAN_") ? env : properties).put(keyValues[i], keyValues[i + 1]);
        }
        return InMemoryGuardian.plan(VERTX, env, properties, new Secrets());
    }

    /** The refusal's lines, after checking its header says how many. */
    private static List<String> refused(String... keyValues) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> plan(keyValues));
        String message = e.getMessage();
        List<String> lines = message.lines().skip(1).map(String::trim).toList();
        assertTrue(message.startsWith("Guardian refuses to start: " + lines.size() + " configuration problem"),
                message);
        return lines;
    }

    private static void assertRefusedWith(String expected, String... keyValues) {
        List<String> lines = refused(keyValues);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(expected)), () -> "expected <" + expected + "> in " + lines);
        assertFalse(String.join("\n", lines).contains(SECRET), () -> "the secret leaked: " + lines);
        assertFalse(String.join("\n", lines).contains("PW"), () -> "the password leaked: " + lines);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://guardian:" + SECRET + "@127.0.0.1:5432/chat oops",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": is not a valid URL"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "mysql://guardian:" + SECRET + "@127.0.0.1/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"mysql://guardian:***@127.0.0.1/chat\": has unknown scheme \"mysql\"; use postgresql:// or postgres://"),
                Arguments.of("GUARDIAN_REDIS_URL", "http://127.0.0.1:6379",
                        "guardian.redis.url (GUARDIAN_REDIS_URL) = \"http://127.0.0.1:6379\": has unknown scheme \"http\"; use redis:// or rediss://"),
                Arguments.of("GUARDIAN_AUTH_URL", "https://auth.example.com/health?token=" + SECRET + " x",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"https:***\": is not a valid URL"),
                Arguments.of("GUARDIAN_AUTH_URL", "ftp://auth.example.com/health",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"ftp://auth.example.com/health\": has unknown scheme \"ftp\"; use http:// or https://"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://guardian:pa/" + SECRET + "@127.0.0.1/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": names no host; use postgresql://user:password@host:5432/database (percent-encode special characters in the password)"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://guardian:pa#" + SECRET + "@127.0.0.1/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": names no host"),
                Arguments.of("GUARDIAN_AUTH_URL", "https:///health",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"https:***\": names no host"),
                // Shapes that did not parse as meant: nothing beyond the scheme is ever shown.
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://chat:PW\n@db:5432/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": is not a valid URL"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql://chat:PW\r@db:5432/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": is not a valid URL"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "postgresql:chat:PW@db/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": names no host"),
                Arguments.of("GUARDIAN_REDIS_URL", "redis:/:PW@cache:6379",
                        "guardian.redis.url (GUARDIAN_REDIS_URL) = \"redis:***\": names no host"),
                Arguments.of("GUARDIAN_POSTGRES_URL", "mysql:chat:PW@db/chat",
                        "guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"mysql:***\": has unknown scheme \"mysql\""),
                Arguments.of("GUARDIAN_BACKEND_URL", "ws:user:PW@host/ws",
                        "guardian.backend.url (GUARDIAN_BACKEND_URL) = \"ws:***\": names no host"),
                Arguments.of("GUARDIAN_AUTH_URL", "https://auth.example.com/health?token=PW\nx",
                        "guardian.auth.url (GUARDIAN_AUTH_URL) = \"https:***\": is not a valid URL"),
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
                        "guardian.startup.budget (GUARDIAN_STARTUP_BUDGET) = \"20s\": is shorter than guardian.redis.timeout (GUARDIAN_REDIS_TIMEOUT) = 30s"),
                Arguments.of("GUARDIAN_REDIS_ROLE", "optional",
                        "guardian.redis.role (GUARDIAN_REDIS_ROLE) = \"optional\": use required (gates startup and readiness), startup (gates startup only) or informational (never gates)"),
                Arguments.of("GUARDIAN_REDIS_RETRY_MAX_INTERVAL", "10ms",
                        "guardian.redis.retry-max-interval (GUARDIAN_REDIS_RETRY_MAX_INTERVAL) = \"10ms\": must be at least guardian.redis.retry-interval (50ms)"),
                Arguments.of("GUARDIAN_JITTER", "3",
                        "guardian.jitter (GUARDIAN_JITTER) = \"3\": use a fraction from 0 to 1, such as 0.2"),
                Arguments.of("GUARDIAN_REDIS_URL", "redis://:PW@cache:6379/0?ssl=true",
                        "guardian.redis.url (GUARDIAN_REDIS_URL) = \"redis://:***@cache:6379/0?***\": has URL parameters, "
                                + "which Guardian does not read; set TLS with rediss:// and guardian.redis.ca-file"),
                Arguments.of("GUARDIAN_REDIS_URL", "redis://cache:6379/sessions",
                        "guardian.redis.url (GUARDIAN_REDIS_URL) = \"redis://cache:6379/sessions\": has database "
                                + "\"sessions\"; a Redis database is a number such as 0"),
                Arguments.of("GUARDIAN_REDIS_CA_FILE", "/etc/guardian/redis-ca.pem",
                        "guardian.redis.ca-file (GUARDIAN_REDIS_CA_FILE) = \"/etc/guardian/redis-ca.pem\": is set but "
                                + "the URL is redis://; use rediss:// for TLS"),
                Arguments.of("GUARDIAN_TCP_ADDRESS", "vector-store",
                        "guardian.tcp.address (GUARDIAN_TCP_ADDRESS) = \"vector-store\": use host:port, such as "
                                + "vector-store:6333"),
                Arguments.of("GUARDIAN_TCP_VECTORS_ADDRESS", "user:PW@vectors:6333",
                        "guardian.tcp.vectors.address (GUARDIAN_TCP_VECTORS_ADDRESS): use host:port, such as "
                                + "vector-store:6333"),
                Arguments.of("GUARDIAN_HTTP_LLM_URL", "ftp://llm:21/health",
                        "guardian.http.llm.url (GUARDIAN_HTTP_LLM_URL) = \"ftp://llm:21/health\": has unknown scheme"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void refusesABadValue(String variable, String value, String expected) {
        assertRefusedWith(expected, "GUARDIAN_REDIS_URL", "redis://127.0.0.1:1", variable, value);
    }

    static Stream<Arguments> badBackends() {
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
                        "guardian.load-balancer.profile (GUARDIAN_LOAD_BALANCER_PROFILE) = \"haproxy\": use one of none, gcp-backend-service, gcp-serverless-neg, cloud-run, aws-alb, nginx, cloudflare"),
                Arguments.of("GUARDIAN_HEARTBEAT_PONG_TIMEOUT", "0s",
                        "guardian.heartbeat.pong-timeout (GUARDIAN_HEARTBEAT_PONG_TIMEOUT) = \"0s\": use a positive duration"),
                Arguments.of("GUARDIAN_BACKEND_UPGRADE_TIMEOUT", "20s",
                        "guardian.backend.timeout (GUARDIAN_BACKEND_TIMEOUT) = \"10s\": must be at least guardian.backend.connect-timeout + guardian.backend.upgrade-timeout = 22s"));
    }

    @ParameterizedTest
    @MethodSource("badBackends")
    void refusesABadBackend(String variable, String value, String expected) {
        assertRefusedWith(expected, "GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws", variable, value);
    }

    static Stream<Arguments> unsafeHeartbeats() {
        return Stream.of(
                // The incident: the backend pinged every 45 s behind a balancer that allowed 30 s.
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-backend-service",
                        "GUARDIAN_BACKEND_HEARTBEAT_INTERVAL", "45s" },
                        "guardian.backend.heartbeat-interval (GUARDIAN_BACKEND_HEARTBEAT_INTERVAL) = \"45s\": unsafe behind load-balancer profile gcp-backend-service, whose limit is 30s (lifetime cap: Google Cloud HTTP(S) load balancer backend service timeout (timeoutSec, default 30s) for a GKE or VM backend, a cap on the whole connection lifetime, idle or not); the backend's heartbeat must be at most half of it; the largest safe value is 15s"),
                Arguments.of(new String[] { "GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-https-lb",
                        "GUARDIAN_BACKEND_HEARTBEAT_INTERVAL", "45s" },
                        "guardian.backend.heartbeat-interval (GUARDIAN_BACKEND_HEARTBEAT_INTERVAL) = \"45s\": unsafe behind load-balancer profile gcp-backend-service"),
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
    void refusesUnsafeHeartbeatIntervals(String[] env, String expected) {
        String[] all = Stream.concat(Stream.of("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws"), Stream.of(env))
                .toArray(String[]::new);
        assertRefusedWith(expected, all);
    }

    @ParameterizedTest
    @MethodSource("safeHeartbeats")
    void acceptsSafeHeartbeatIntervals(String profile, String interval) {
        Plan plan = plan("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws", "GUARDIAN_LOAD_BALANCER_PROFILE", profile,
                "GUARDIAN_HEARTBEAT_INTERVAL", interval);
        assertEquals(List.of("websocket", "heartbeat"), plan.checks().stream().map(CheckSpec::name).toList());
    }

    static Stream<Arguments> safeHeartbeats() {
        return Stream.of(Arguments.of("gcp-backend-service", "10s"), Arguments.of("aws-alb", "25s"),
                Arguments.of("cloudflare", "45s"), Arguments.of("cloud-run", "2m"),
                Arguments.of("gcp-serverless-neg", "2m"), Arguments.of("none", "10m"));
    }

    @Test
    void jwtProblemsAreNamedWithoutShowingTheSecret() {
        String secret = ("short-" + SECRET).substring(0, 20);
        List<String> lines = refused("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws", "GUARDIAN_BACKEND_AUTH_MODE", "jwt",
                "GUARDIAN_BACKEND_AUTH_JWT_SECRET", secret, "GUARDIAN_BACKEND_AUTH_JWT_LIFETIME", "10m");
        assertTrue(lines.contains("guardian.backend.auth.jwt-secret (GUARDIAN_BACKEND_AUTH_JWT_SECRET): is shorter than "
                + "32 bytes; HS256 needs a 256-bit secret"), lines.toString());
        assertTrue(lines.contains("guardian.backend.auth.jwt-lifetime (GUARDIAN_BACKEND_AUTH_JWT_LIFETIME) = \"10m\": "
                + "must be at most 5m: a probe token should be short-lived"), lines.toString());
        assertFalse(lines.toString().contains(secret), lines.toString());
    }

    @Test
    void reportsEveryProblemAtOnce() {
        List<String> lines = refused("GUARDIAN_POSTGRES_URL", "oracle://x", "GUARDIAN_STARTUP_BUDGET", "forever",
                "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", "none", "GUARDIAN_JITTER", "3");
        assertEquals(4, lines.size(), lines.toString());
        for (String variable : List.of("GUARDIAN_POSTGRES_URL", "GUARDIAN_STARTUP_BUDGET",
                "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", "GUARDIAN_JITTER")) {
            assertEquals(1, lines.stream().filter(l -> l.contains("(" + variable + ")")).count(), lines.toString());
        }
    }

    @Test
    void aMisspelledVariableIsRefusedWithTheClosestName() {
        assertEquals(List.of("GUARDIAN_POSTGRESS_URL: is not a Guardian setting; did you mean GUARDIAN_POSTGRES_URL "
                + "(guardian.postgres.url)?"), refused("GUARDIAN_POSTGRESS_URL", "postgresql://chat:" + SECRET + "@db/chat"));
        assertEquals(List.of("GUARDIAN_POSTGRES_REPLICA_TIMOUT: is not a Guardian setting; did you mean "
                + "GUARDIAN_POSTGRES_REPLICA_TIMEOUT?"), refused("GUARDIAN_POSTGRES_REPLICA_URL",
                        "postgresql://chat@db/chat", "GUARDIAN_POSTGRES_REPLICA_TIMOUT", "3s"));
        assertEquals(List.of("GUARDIAN_HEARTBEAT_INTERVALL: is not a Guardian setting; did you mean "
                + "GUARDIAN_HEARTBEAT_INTERVAL (guardian.heartbeat.interval)?"),
                refused("GUARDIAN_REDIS_URL", "redis://127.0.0.1:1", "GUARDIAN_HEARTBEAT_INTERVALL", "5s"));
    }

    @Test
    void aMisspelledPropertyIsRefusedWithTheClosestName() {
        assertEquals(List.of("guardian.postgress.url: is not a Guardian setting; did you mean guardian.postgres.url?"),
                refused("guardian.postgress.url", "postgresql://chat:" + SECRET + "@db/chat"));
        assertEquals(List.of("guardian.redis.timout: is not a Guardian setting; did you mean guardian.redis.timeout?"),
                refused("guardian.redis.url", "redis://127.0.0.1:1", "guardian.redis.timout", "3s"));
        assertEquals(1, plan("guardian.redis.url", "redis://127.0.0.1:1", "guardian.redis.timeout", "3s")
                .checks().size());
    }

    @Test
    void anEmptyVariableIsRefusedNotReadAsUnset() {
        assertEquals(List.of("GUARDIAN_POSTGRES_URL: is set but empty; give it a value or unset it"),
                refused("GUARDIAN_REDIS_URL", "redis://127.0.0.1:1", "GUARDIAN_POSTGRES_URL", ""));
    }

    @Test
    void kubernetesServiceLinksAreNotGuardianSettings() {
        Plan plan = plan("GUARDIAN_REDIS_URL", "redis://127.0.0.1:1", "GUARDIAN_SERVICE_HOST", "10.0.0.7",
                "GUARDIAN_SERVICE_PORT", "8090", "GUARDIAN_PORT_8090_TCP", "tcp://10.0.0.7:8090",
                "GUARDIAN_PORT_8090_TCP_ADDR", "10.0.0.7");
        assertEquals(1, plan.checks().size());
    }

    @Test
    void noCheckIsRefusedUnlessAllowed() {
        assertEquals(List.of("guardian.allow-no-checks (GUARDIAN_ALLOW_NO_CHECKS): no check is configured (set one "
                + "of GUARDIAN_AUTH_URL, GUARDIAN_BACKEND_URL, GUARDIAN_HTTP_URL, GUARDIAN_POSTGRES_URL, "
                + "GUARDIAN_REDIS_URL, GUARDIAN_TCP_ADDRESS); set GUARDIAN_ALLOW_NO_CHECKS=true to start anyway, "
                + "READY at once"), refused());
        assertTrue(plan("GUARDIAN_ALLOW_NO_CHECKS", "true").checks().isEmpty());
    }

    @Test
    void namedChecksOfOneKindAndRoles() {
        Plan plan = plan("GUARDIAN_POSTGRES_URL", "postgresql://chat:pw@primary:5432/chat",
                "GUARDIAN_POSTGRES_REPLICA_URL", "postgresql://chat:pw@replica:5432/chat",
                "GUARDIAN_POSTGRES_REPLICA_ROLE", "informational", "GUARDIAN_POSTGRES_REPLICA_TIMEOUT", "3s",
                "GUARDIAN_REDIS_SESSIONS_URL", "redis://cache:6379", "GUARDIAN_REDIS_SESSIONS_ROLE", "startup",
                "GUARDIAN_HTTP_LLM_URL", "http://llm:8080/health", "GUARDIAN_TCP_VECTORS_ADDRESS", "vectors:6333");
        Map<String, CheckSpec> byName = new HashMap<>();
        plan.checks().forEach(c -> byName.put(c.name(), c));
        assertEquals(List.of("llm", "postgres", "replica", "sessions", "vectors"),
                byName.keySet().stream().sorted().toList());
        assertEquals("primary:5432/chat", byName.get("postgres").target());
        assertEquals("replica:5432/chat", byName.get("replica").target());
        assertEquals(Role.INFORMATIONAL, byName.get("replica").role());
        assertEquals(3_000, byName.get("replica").timing().timeout().toMillis());
        assertEquals(Role.REQUIRED, byName.get("postgres").role());
        assertEquals(Role.STARTUP, byName.get("sessions").role());
        assertEquals("redis", byName.get("sessions").kind());
        assertEquals("http", byName.get("llm").kind());
        assertEquals("vectors:6333", byName.get("vectors").target());
    }

    @Test
    void checkNamesMustBeUnambiguousAndUnique() {
        assertRefusedWith("guardian.postgres.replica.url (GUARDIAN_POSTGRES_REPLICA_URL): is required: settings name "
                + "a check \"replica\" but give it no url", "GUARDIAN_REDIS_URL", "redis://127.0.0.1:1",
                "GUARDIAN_POSTGRES_REPLICA_TIMEOUT", "3s");
        assertRefusedWith("two checks are named \"postgres\" (guardian.postgres.* and guardian.redis.postgres.*); give "
                + "each check its own name", "GUARDIAN_POSTGRES_URL",
                "postgresql://chat@db/chat", "GUARDIAN_REDIS_POSTGRES_URL", "redis://cache:6379");
    }

    @Test
    void checkNamesAreWhatAVariableCanSpell() {
        assertRefusedWith("guardian.postgres.retry.*: check name \"retry\" is also the start of a setting's name under "
                + "guardian.postgres; choose another name", "GUARDIAN_POSTGRES_RETRY_URL", "postgresql://chat@db/chat");
    }

    @Test
    void postgresUrlsAsLibpqReadsThem() {
        assertRefusedWith("guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://chat:***@db/chat?***\": has "
                + "URL parameter \"sslmod\", which Guardian does not read; use sslmode, sslrootcert, host (a Unix socket "
                + "directory), port or application_name", "GUARDIAN_POSTGRES_URL", "postgresql://chat:PW@db/chat?sslmod=require");
        assertRefusedWith("guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://chat:***@db/chat?***\": has "
                + "sslmode=strict; use disable, allow, prefer, require, verify-ca or verify-full",
                "GUARDIAN_POSTGRES_URL", "postgresql://chat:PW@db/chat?sslmode=strict");
        assertRefusedWith("guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://chat:***@db/chat?***\": has "
                + "sslmode=verify-full without sslrootcert", "GUARDIAN_POSTGRES_URL",
                "postgresql://chat:PW@db/chat?sslmode=verify-full");
        assertRefusedWith("guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://chat:***@db/chat?***\": has "
                + "sslrootcert=/nonexistent/ca.pem, which cannot be read", "GUARDIAN_POSTGRES_URL",
                "postgresql://chat:PW@db/chat?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem");
        // Trust or peer authentication: a user and no password.
        assertEquals("db:5432/chat", plan("GUARDIAN_POSTGRES_URL", "postgresql://chat@db/chat").checks().get(0).target());
        // Cloud SQL's Unix socket directory.
        assertEquals("/cloudsql/proj:europe-west1:chat/.s.PGSQL.5432/chat", plan("GUARDIAN_POSTGRES_URL",
                "postgresql://chat:pw@/chat?host=/cloudsql/proj:europe-west1:chat").checks().get(0).target());
        // A socket on another port: libpq's port parameter, or the port after the '@'.
        assertEquals("/run/pg/.s.PGSQL.5433/chat", plan("GUARDIAN_POSTGRES_URL",
                "postgresql://chat:pw@/chat?host=/run/pg&port=5433").checks().get(0).target());
        assertEquals("/run/pg/.s.PGSQL.5433/chat", plan("GUARDIAN_POSTGRES_URL",
                "postgresql://chat@:5433/chat?host=/run/pg").checks().get(0).target());
        assertEquals("db:6432/chat", plan("GUARDIAN_POSTGRES_URL", "postgresql://chat:pw@db/chat?port=6432")
                .checks().get(0).target());
        assertRefusedWith("guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql://chat:***@db/chat?***\": has "
                + "port=none; use a port number from 1 to 65535", "GUARDIAN_POSTGRES_URL",
                "postgresql://chat:PW@db/chat?port=none");
    }
}
