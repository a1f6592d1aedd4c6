package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.Certificates;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.HttpStub;

/**
 * HTTPS for the auth and the generic http kinds against a real Vert.x HTTPS server (a certificate for
 * {@code localhost} only, signed by a CA made in the test). One Guardian; the cases that must fail are informational,
 * so READY proves that the auth service with the right CA passes.
 */
class HttpsIT {
    private static final String TOKEN = "Https-Token-3f9d1c";
    private static Certificates certs;
    private static HttpStub server;
    private static GuardianProcess g;

    @BeforeAll
    static void start() {
        certs = Certificates.make();
        server = HttpStub.https(certs.serverCertificate(), certs.serverKey());
        String url = server.url("/health?token=" + TOKEN);
        g = GuardianProcess.with("GUARDIAN_STARTUP_BUDGET", "60s", "GUARDIAN_SHUTDOWN_DRAIN", "0s",
                "GUARDIAN_AUTH_URL", url, "GUARDIAN_AUTH_CA_FILE", certs.ca().toString(),
                "GUARDIAN_HTTP_LLM_URL", url, "GUARDIAN_HTTP_LLM_CA_FILE", certs.otherCa().toString(),
                "GUARDIAN_HTTP_LLM_ROLE", "informational",
                "GUARDIAN_HTTP_MISMATCH_URL", url.replace("localhost", "127.0.0.1"),
                "GUARDIAN_HTTP_MISMATCH_CA_FILE", certs.ca().toString(), "GUARDIAN_HTTP_MISMATCH_ROLE", "informational")
                .start().awaitListening();
        g.awaitState("READY", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (g != null) {
            g.close();
        }
        server.close();
        certs.close();
    }

    private static void assertError(String check, String expected) {
        NotGating.assertFailing(g, check, expected, check + " (https://");
    }

    @Test
    void theAuthServiceWithTheRightCaIsReady() {
        Health h = g.health();
        assertEquals("UP", h.check("auth").path("status").asText(), h.body());
        assertEquals(200, h.data("auth").path("http_status").asInt());
        assertEquals(server.url("/health?***"), h.data("auth").path("target").asText(), "the query is masked");
    }

    @Test
    void aCaThatDidNotSignTheServersCertificateIsNamed() {
        assertError("llm", "TLS: the server's certificate is not signed by a trusted CA (https, ca-file)");
    }

    @Test
    void aCertificateForAnotherHostIsNamed() {
        assertError("mismatch", "TLS: the server's certificate does not name host 127.0.0.1 (https, ca-file): No "
                + "subject alternative names matching IP address 127.0.0.1 found");
    }

    @Test
    void theTokenAppearsNowhere() {
        assertError("llm", "TLS: the server's certificate is not signed by a trusted CA (https, ca-file)");
        String everything = g.health().body() + g.get("/q/health/ready").body() + g.metrics()
                + g.management("/q/status/data").body() + g.output();
        assertFalse(everything.contains(TOKEN), "the token leaked:\n" + everything);
    }
}
