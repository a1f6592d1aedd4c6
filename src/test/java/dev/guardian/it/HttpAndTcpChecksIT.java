package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.HttpStub;
import dev.guardian.testing.TcpListener;

/**
 * The generic kinds, added for anything else a chat backend depends on: an HTTP dependency (an LLM gateway, a real
 * Vert.x server answering 200, then 503) and a TCP one (a vector store: a real listener closed and opened again),
 * each under its own name.
 */
class HttpAndTcpChecksIT {

    @Test
    void anHttpAndATcpDependencyEachWithTheirOwnReasons() {
        try (HttpStub llm = new HttpStub(); TcpListener vectors = TcpListener.listening();
                GuardianProcess g = GuardianProcess.with("GUARDIAN_STARTUP_BUDGET", "60s",
                        "GUARDIAN_SHUTDOWN_DRAIN", "0s",
                        "GUARDIAN_HTTP_LLM_URL", llm.url("/health"), "GUARDIAN_HTTP_LLM_TIMEOUT", "500ms",
                        "GUARDIAN_HTTP_LLM_INTERVAL", "200ms", "GUARDIAN_HTTP_LLM_FAILURE_THRESHOLD", "2",
                        "GUARDIAN_HTTP_LLM_SUCCESS_THRESHOLD", "1",
                        "GUARDIAN_TCP_VECTORS_ADDRESS", "127.0.0.1:" + vectors.port(),
                        "GUARDIAN_TCP_VECTORS_TIMEOUT", "500ms", "GUARDIAN_TCP_VECTORS_INTERVAL", "200ms",
                        "GUARDIAN_TCP_VECTORS_FAILURE_THRESHOLD", "2", "GUARDIAN_TCP_VECTORS_SUCCESS_THRESHOLD", "1")
                        .start().awaitListening()) {
            Health h = g.awaitState("READY", Duration.ofSeconds(30));
            assertEquals("http", h.data("llm").path("kind").asText());
            assertEquals(llm.url("/health"), h.data("llm").path("target").asText());
            assertEquals(200, h.data("llm").path("http_status").asInt());
            // Every verdict has an age: how long ago the check's latest attempt finished (interval 200 ms).
            long age = h.data("llm").path("last_attempt_age_ms").asLong(-1);
            assertTrue(age >= 0 && age < 5_000, "last_attempt_age_ms " + age + ": " + h.body());
            assertEquals("tcp", h.data("vectors").path("kind").asText());
            assertEquals("127.0.0.1:" + vectors.port(), h.data("vectors").path("target").asText());
            String metrics = g.metrics();
            assertTrue(metrics.contains("guardian_check_up{check=\"llm\",kind=\"http\",role=\"required\"} 1.0"), metrics);
            assertTrue(metrics.contains("guardian_check_up{check=\"vectors\",kind=\"tcp\",role=\"required\"} 1.0"),
                    metrics);

            llm.answer(503);
            h = g.awaitState("NOT_READY", Duration.ofSeconds(15));
            assertTrue(h.reason().startsWith("not ready: llm (" + llm.url("/health") + "): HTTP 503 Service "
                    + "Unavailable from the server ("), h.reason());
            assertEquals(503, h.data("llm").path("http_status").asInt());
            llm.answer(200);
            g.awaitState("READY", Duration.ofSeconds(15));

            vectors.close();
            h = g.awaitState("NOT_READY", Duration.ofSeconds(15));
            assertTrue(h.reason().startsWith("not ready: vectors (127.0.0.1:" + vectors.port() + "): connection "
                    + "refused ("), h.reason());
            vectors.open();
            g.awaitState("READY", Duration.ofSeconds(15));
        }
    }
}
