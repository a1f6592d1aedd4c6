package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;

/**
 * Bad configuration stops the real process: exit code 1, the refusal header, one line per problem, no check run, and
 * a known secret nowhere in the output. (What each configuration is refused with is tested in memory by
 * ConfigurationTest.)
 */
class ConfigRefusalIT {
    private static final String SECRET = "Sup3r-Secret-In-Url";

    private static String refused(String... env) {
        return refused(GuardianProcess.with(env));
    }

    private static String refused(GuardianProcess process) {
        try (GuardianProcess g = process.start()) {
            assertEquals(1, g.awaitExit(Duration.ofSeconds(30)), g.output());
            assertFalse(g.output().contains(SECRET), g.output());
            assertFalse(g.output().contains("state STARTING"), "no check may run: " + g.output());
            return g.output();
        }
    }

    @Test
    void aUrlThatDoesNotParseShowsNothingButItsScheme() {
        String output = refused("GUARDIAN_REDIS_URL", "redis://127.0.0.1:1",
                "GUARDIAN_POSTGRES_URL", "postgresql://chat:" + SECRET + "\n@db:5432/chat");
        assertTrue(output.contains("Guardian refuses to start: 1 configuration problem\n"), output);
        assertTrue(output.contains("guardian.postgres.url (GUARDIAN_POSTGRES_URL) = \"postgresql:***\": is not a valid "
                + "URL"), output);
    }

    @Test
    void everyProblemAtOnceOneLineEach() {
        String output = refused("GUARDIAN_POSTGRES_URL", "oracle://x", "GUARDIAN_STARTUP_BUDGET", "forever",
                "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", "none", "GUARDIAN_JITTER", "3");
        assertTrue(output.contains("Guardian refuses to start: 4 configuration problems"), output);
        for (String variable : new String[] { "GUARDIAN_POSTGRES_URL", "GUARDIAN_STARTUP_BUDGET",
                "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", "GUARDIAN_JITTER" }) {
            assertEquals(1, output.lines().filter(l -> l.contains("(" + variable + ")")).count(), variable + ":\n"
                    + output);
        }
    }

    @Test
    void aMisspelledVariableIsRefusedNotIgnored() {
        String output = refused("GUARDIAN_POSTGRESS_URL", "postgresql://chat:" + SECRET + "@127.0.0.1/chat");
        assertTrue(output.contains("GUARDIAN_POSTGRESS_URL: is not a Guardian setting; did you mean "
                + "GUARDIAN_POSTGRES_URL (guardian.postgres.url)?"), output);
    }

    @Test
    void aMisspelledPropertyIsRefusedInGuardiansWords() {
        String output = refused(GuardianProcess.with("GUARDIAN_REDIS_URL", "redis://127.0.0.1:1")
                .property("guardian.postgress.url", "postgresql://chat:" + SECRET + "@127.0.0.1/chat"));
        assertTrue(output.contains("Guardian refuses to start: 1 configuration problem\n  guardian.postgress.url: is "
                + "not a Guardian setting; did you mean guardian.postgres.url?"), output);
    }

    @Test
    void anUnknownPostgresUrlParameterIsRefusedNotDropped() {
        String output = refused("GUARDIAN_POSTGRES_URL",
                "postgresql://chat:" + SECRET + "@127.0.0.1:5432/chat?sslmod=verify-full");
        assertTrue(output.contains("Guardian refuses to start: 1 configuration problem\n  guardian.postgres.url "
                + "(GUARDIAN_POSTGRES_URL) = \"postgresql://chat:***@127.0.0.1:5432/chat?***\": has URL parameter "
                + "\"sslmod\", which Guardian does not read"), output);
    }

    @Test
    void noCheckAtAllIsRefusedUnlessAllowed() {
        String output = refused();
        assertTrue(output.contains("guardian.allow-no-checks (GUARDIAN_ALLOW_NO_CHECKS): no check is configured"),
                output);
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true",
                "GUARDIAN_SHUTDOWN_DRAIN", "0s").start().awaitListening()) {
            assertEquals("no checks configured", g.awaitState("READY", Duration.ofSeconds(10)).reason());
        }
    }
}
