package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.Certificates;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.RedisServer;

/**
 * {@code rediss://} against a real redis-server that speaks TLS only (a certificate for {@code localhost} only, signed
 * by a CA made in the test) and asks for a password. One Guardian, one named check per case; the cases that must
 * fail are informational, so READY proves that every case that must pass does.
 */
class RedisTlsIT {
    private static final String SECRET = "Redis-Tls-Secret-8c2a5f";
    private static Certificates certs;
    private static RedisServer redis;
    private static RedisServer plaintext;
    private static GuardianProcess g;

    @BeforeAll
    static void start() {
        certs = Certificates.make();
        redis = RedisServer.prepare(SECRET).tls(certs.serverCertificate(), certs.serverKey(), certs.ca());
        redis.start();
        plaintext = RedisServer.started();
        String ca = certs.ca().toString();
        g = GuardianProcess.with("GUARDIAN_STARTUP_BUDGET", "60s", "GUARDIAN_SHUTDOWN_DRAIN", "0s",
                "GUARDIAN_REDIS_URL", url("localhost"), "GUARDIAN_REDIS_CA_FILE", ca,
                "GUARDIAN_REDIS_NOHOSTCHECK_URL", url("127.0.0.1"), "GUARDIAN_REDIS_NOHOSTCHECK_CA_FILE", ca,
                "GUARDIAN_REDIS_NOHOSTCHECK_VERIFY_HOST", "false",
                "GUARDIAN_REDIS_WRONGCA_URL", url("localhost"),
                "GUARDIAN_REDIS_WRONGCA_CA_FILE", certs.otherCa().toString(),
                "GUARDIAN_REDIS_WRONGCA_ROLE", "informational",
                "GUARDIAN_REDIS_PLAINTEXT_URL", "rediss://localhost:" + plaintext.port(),
                "GUARDIAN_REDIS_PLAINTEXT_CA_FILE", ca, "GUARDIAN_REDIS_PLAINTEXT_ROLE", "informational",
                "GUARDIAN_REDIS_JVMCA_URL", url("localhost"), "GUARDIAN_REDIS_JVMCA_ROLE", "informational",
                "GUARDIAN_REDIS_MISMATCH_URL", url("127.0.0.1"), "GUARDIAN_REDIS_MISMATCH_CA_FILE", ca,
                "GUARDIAN_REDIS_MISMATCH_VERIFY_HOST", "true", "GUARDIAN_REDIS_MISMATCH_ROLE", "informational")
                .start().awaitListening();
        g.awaitState("READY", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (g != null) {
            g.close();
        }
        plaintext.close();
        redis.close();
        certs.close();
    }

    private static String url(String host) {
        return "rediss://:" + SECRET + "@" + host + ":" + redis.port();
    }

    private static void assertPasses(String check) {
        await(check + " UP").atMost(Duration.ofSeconds(10))
                .until(() -> "UP".equals(g.health().check(check).path("status").asText()));
    }

    private static void assertError(String check, String expected) {
        NotGating.assertFailing(g, check, expected, check + " (");
    }

    @Test
    void theRightCaIsReady() {
        assertPasses("redis");
        assertEquals("localhost:" + redis.port(), g.health().data("redis").path("target").asText());
    }

    @Test
    void aCaThatDidNotSignTheServersCertificateIsNamed() {
        assertError("wrongca", "TLS: the server's certificate is not signed by a trusted CA (rediss, ca-file="
                + certs.otherCa() + ")");
        // Without a CA file the JVM's trusted CAs decide, and they do not know the test's CA.
        assertError("jvmca", "TLS: the server's certificate is not signed by a trusted CA (rediss, the JVM's "
                + "trusted CAs)");
    }

    @Test
    void aCertificateForAnotherHostIsRefusedOnlyWhenTheHostIsVerified() {
        assertError("mismatch", "TLS: the server's certificate does not name host 127.0.0.1 (rediss, ca-file="
                + certs.ca() + "): No subject alternative names matching IP address 127.0.0.1 found");
        assertPasses("nohostcheck");
    }

    /**
     * A plaintext Redis reads the TLS ClientHello as the start of an inline command and waits for its end: it never
     * answers, and the attempt ends at its deadline.
     */
    @Test
    void aServerWithoutTlsHoldsAnAttemptOnlyUntilItsDeadline() {
        assertError("plaintext", "no answer within 2000 ms (attempt timeout)");
    }

    @Test
    void thePasswordAppearsNowhere() {
        assertError("wrongca", "TLS: the server's certificate is not signed by a trusted CA (rediss, ca-file="
                + certs.otherCa() + ")");
        String everything = g.health().body() + g.get("/q/health/ready").body() + g.metrics()
                + g.management("/q/status/data").body() + g.output();
        assertFalse(everything.contains(SECRET), "the password leaked:\n" + everything);
    }
}
