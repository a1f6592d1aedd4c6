package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.HostileIdp;
import dev.guardian.testing.HostileIdp.Mode;
import dev.guardian.testing.ProbeWindow;

/**
 * The client-credentials token fetch against an identity provider that misbehaves: the body it buffers is bounded
 * whether or not a Content-Length comes, a refusal is retried with backoff, and nothing it says or fails to say
 * carries a secret into Guardian's output.
 */
class TokenFetchIT extends WithChatBackend {
    static final String CLIENT_ID = "guardian-probe";
    static final String CLIENT_SECRET = "Client-Secret-Token-Fetch-9a8b";

    private static GuardianProcess guardian(HostileIdp idp, String discoveryUrl, String... extra) {
        return GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                "GUARDIAN_BACKEND_SCRIPT", WebSocketGateIT.PING_SCRIPT,
                "GUARDIAN_BACKEND_AUTH_MODE", "client-credentials",
                "GUARDIAN_BACKEND_AUTH_DISCOVERY_URL", discoveryUrl,
                "GUARDIAN_BACKEND_AUTH_CLIENT_ID", CLIENT_ID,
                "GUARDIAN_BACKEND_AUTH_CLIENT_SECRET", CLIENT_SECRET,
                "GUARDIAN_STARTUP_BUDGET", "120s").env(extra);
    }

    @Test
    void anEndlessTokenBodyIsCutOffAndLivenessKeepsAnswering() {
        try (HostileIdp idp = new HostileIdp(Mode.ENDLESS_TOKEN_BODY);
                GuardianProcess g = guardian(idp, idp.discoveryUrl()).jvm("-Xmx48m").start().awaitListening()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> idp.tokenRequests() >= 1);
            ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(20), Duration.ofSeconds(1),
                    "/q/health/live");
            System.out.printf("endless token body: %d token requests, %d MB streamed; %s%n", idp.tokenRequests(),
                    idp.bytesStreamed() >> 20, probes);
            assertTrue(probes.clean(), probes + "; output:\n" + tail(g.output()));

            String error = g.health().data("websocket").path("last_error").asText();
            assertEquals("could not obtain a token: token endpoint " + idp.tokenEndpoint() + " sent more than "
                    + "65536 bytes", error);
            g.sigterm();
            assertEquals(0, g.awaitExit(Duration.ofSeconds(15)), tail(g.output()));
        }
    }

    @Test
    void aRefusedClientIsAskedAgainWithBackoffAndTheRefusalStaysTheReason() {
        try (HostileIdp idp = new HostileIdp(Mode.UNAUTHORIZED);
                GuardianProcess g = guardian(idp, idp.discoveryUrl()).start().awaitListening()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> idp.tokenRequests() >= 1);
            Set<String> reasons = new LinkedHashSet<>();
            ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(20), Duration.ofSeconds(1),
                    Duration.ofMillis(100), answer -> {
                        Health h = g.health();
                        if (h.data("websocket").has("last_error")) {
                            reasons.add(h.data("websocket").path("last_error").asText());
                        }
                    }, "/q/health/live");
            long requests = idp.tokenRequests();
            System.out.printf("refused client: %d token requests in about 20 s; reasons seen: %s; %s%n", requests,
                    reasons, probes);

            assertTrue(requests <= 10, "the token endpoint received " + requests + " requests in about 20 s "
                    + "(at most 10: a refusal is retried with backoff)");
            String expected = "could not obtain a token: token endpoint " + idp.tokenEndpoint() + " answered HTTP 401 ";
            for (String reason : reasons) {
                assertTrue(reason.startsWith(expected), "every attempt names the refusal; one said: " + reason);
            }
            assertFalse(reasons.isEmpty(), "no websocket attempt reported in 20 s");
            assertTrue(probes.clean(), probes.toString());
        }
    }

    /**
     * A hung discovery document or token endpoint runs into Vert.x's request timeout, whose message quotes the
     * request line: the discovery URL's query (where a deployer may put an API key) must not come out with it,
     * nor the password of its user info, nor the client secret.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = { "DISCOVERY_HANGS", "TOKEN_HANGS" })
    void aTimedOutRequestToTheIdentityProviderLeaksNoSecret(Mode mode) {
        String userInfoPassword = "Discovery-Pass-Leak-77e1";
        String queryKey = "Discovery-Key/Leak+3c1d"; // percent-encoded in the URL: neither form may show
        try (HostileIdp idp = new HostileIdp(mode)) {
            String discovery = idp.discoveryUrl().replace("http://", "http://guardian:" + userInfoPassword + "@")
                    + "?api_key=Discovery-Key%2FLeak%2B3c1d";
            try (GuardianProcess g = guardian(idp, discovery).start().awaitListening()) {
                await("two failed websocket attempts").atMost(Duration.ofSeconds(60))
                        .until(() -> g.health().data("websocket").path("attempts").asLong() >= 2);
                Health h = g.health();
                Map<String, String> outputs = new LinkedHashMap<>();
                outputs.put("/q/health", h.body());
                outputs.put("/q/health/started", g.get("/q/health/started").body());
                outputs.put("/q/health/ready", g.get("/q/health/ready").body());
                outputs.put("/q/metrics", g.metrics());
                outputs.put("the log", g.output());
                List<String> leaks = new ArrayList<>();
                for (String secret : new String[] { userInfoPassword, queryKey, "Discovery-Key%2FLeak%2B3c1d",
                        "Leak+3c1d", "Leak%2B3c1d", CLIENT_SECRET }) {
                    outputs.forEach((where, text) -> {
                        if (text.contains(secret)) {
                            leaks.add(secret + " in " + where);
                        }
                    });
                }
                assertTrue(leaks.isEmpty(), "leaked: " + leaks + "; websocket last_error: "
                        + h.data("websocket").path("last_error").asText());
            }
        }
    }

    private static String tail(String output) {
        return output.length() <= 4_000 ? output : "…" + output.substring(output.length() - 4_000);
    }
}
