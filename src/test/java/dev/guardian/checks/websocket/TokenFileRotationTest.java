package dev.guardian.checks.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.guardian.InMemoryGuardian;
import dev.guardian.checks.CheckContext;
import dev.guardian.config.Problems;
import dev.guardian.engine.Secrets;
import io.vertx.core.Vertx;

/**
 * A bearer token read from a file (a mounted Secret that the platform rotates) is followed at every attempt; each new
 * token replaces the previous one in the scrubber, which therefore holds one file token however often it rotates,
 * and always the current one.
 */
class TokenFileRotationTest {
    private static final Vertx VERTX = Vertx.vertx();

    @AfterAll
    static void close() {
        VERTX.close();
    }

    @Test
    void eachRotationReplacesThePreviousTokenInTheScrubber(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "File-Token-Rotation-00\n");
        BackendConfig config = InMemoryGuardian.config(Map.of("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:8080/ws",
                "GUARDIAN_BACKEND_AUTH_MODE", "bearer", "GUARDIAN_BACKEND_AUTH_TOKEN_FILE", file.toString()))
                .getConfigMapping(BackendConfig.class);
        Secrets secrets = new Secrets();
        Problems problems = new Problems();
        TokenSources.Auth auth = TokenSources.parse(problems, config.auth(),
                new CheckContext(0, null, secrets, null, VERTX), Duration.ofSeconds(5));
        assertNotNull(auth, problems.toString());

        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String token = String.format("File-Token-Rotation-%02d", i);
            Files.writeString(file, token + "\n");
            // Read twice: an unchanged file neither adds nor removes anything.
            for (int read = 0; read < 2; read++) {
                assertEquals(token, auth.tokens().token().await().atMost(Duration.ofSeconds(5)));
            }
            tokens.add(token);
            assertEquals(Secrets.MASK, secrets.scrub(token), "the current token is scrubbed");
        }
        String every = String.join(" ", tokens);
        String expected = String.join(" ", tokens.subList(0, tokens.size() - 1)) + " " + Secrets.MASK;
        assertEquals(expected, secrets.scrub(every), "only the current token is left in the scrubber");
    }
}
