package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.RedisServer;

/** JSON logs as Cloud Logging reads them: its severity names, the state and failing checks as labels, no secret. */
class JsonLogsIT {
    private static final String SECRET = "Json-Log-Secret-31c7";

    @Test
    void severitiesAndLabelsAsCloudLoggingNamesThem() throws Exception {
        try (RedisServer never = RedisServer.prepare(null);
                GuardianProcess g = GuardianProcess.with("GUARDIAN_LOG_JSON", "true",
                        "GUARDIAN_LOAD_BALANCER_PROFILE", "cloud-run", "GUARDIAN_STARTUP_BUDGET", "2s",
                        "GUARDIAN_REDIS_URL", "redis://:" + SECRET + "@127.0.0.1:" + never.port()).start()
                        .awaitListening()) {
            g.awaitState("FAILED", Duration.ofSeconds(20));
            g.awaitOutput("\"severity\":\"ERROR\"");
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = g.output().lines().filter(l -> l.startsWith("{")).map(l -> {
                try {
                    return json.readTree(l);
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + l, e);
                }
            }).toList();
            JsonNode lifetime = lines.stream().filter(l -> l.path("message").asText().startsWith("cloud-run closes every"))
                    .findFirst().orElseThrow(() -> new AssertionError("no lifetime note:\n" + g.output()));
            assertEquals("WARNING", lifetime.path("severity").asText(), lifetime.toString());
            JsonNode failed = lines.stream().filter(l -> l.path("message").asText().startsWith("state STARTING -> FAILED"))
                    .findFirst().orElseThrow(() -> new AssertionError("no FAILED line:\n" + g.output()));
            assertEquals("ERROR", failed.path("severity").asText());
            JsonNode labels = failed.path("logging.googleapis.com/labels");
            assertEquals("FAILED", labels.path("state").asText(), failed.toString());
            assertEquals("STARTING", labels.path("previous_state").asText(), failed.toString());
            assertEquals("redis", labels.path("check").asText(), failed.toString());
            assertTrue(lines.stream().noneMatch(l -> l.path("severity").asText().equals("WARN")), g.output());
            assertFalse(g.output().contains(SECRET), g.output());
        }
    }
}
