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
            ProbeWindow.Result probes = probingForReasons(g, Duration.ofSeconds(20), reasons);
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
     * A token endpoint that sends its answer a byte at a time, never idle for long, is cut off at the request's
     * deadline (connect-timeout + upgrade-timeout), and the reason names it: not a generic attempt timeout, and no
     * request left open behind the attempts.
     */
    @Test
    void aDrippingTokenEndpointIsCutOffAtTheRequestDeadlineAndNamed() {
        try (HostileIdp idp = new HostileIdp(Mode.TOKEN_DRIPS);
                GuardianProcess g = guardian(idp, idp.discoveryUrl(), "GUARDIAN_BACKEND_CONNECT_TIMEOUT", "500ms",
                        "GUARDIAN_BACKEND_UPGRADE_TIMEOUT", "500ms", "GUARDIAN_BACKEND_TIMEOUT", "3s").start()
                        .awaitListening()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> idp.tokenRequests() >= 1);
            Set<String> reasons = new LinkedHashSet<>();
            ProbeWindow.Result probes = probingForReasons(g, Duration.ofSeconds(15), reasons);
            String heartbeat = g.health().data("heartbeat").path("last_error").asText();
            System.out.printf("dripping token endpoint: %d token requests in about 15 s, the longest open %d ms; "
                    + "reasons seen: %s; heartbeat: %s; %s%n", idp.tokenRequests(), idp.longestDripMillis(), reasons,
                    heartbeat, probes);

            String expected = "could not obtain a token: token endpoint " + idp.tokenEndpoint()
                    + " did not answer within 1000 ms";
            assertEquals(Set.of(expected), reasons, "every attempt names the identity provider");
            assertEquals("cannot open the heartbeat connection: " + expected, heartbeat);
            assertTrue(idp.longestDripMillis() < 2_000, "a token request stayed open " + idp.longestDripMillis()
                    + " ms against a deadline of 1000 ms");
            assertTrue(probes.clean(), probes.toString());
        }
    }

    /**
     * A hung discovery document or token endpoint runs into the request's deadline, whose reason names the
     * endpoint: the discovery URL's query (where a deployer may put an API key) must not come out with it, nor the
     * password of its user info, nor the client secret. (Vert.x's own request timeout, whose message quoted the
     * request line, is no longer used.)
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
                String error = h.data("websocket").path("last_error").asText();
                String endpoint = mode == Mode.DISCOVERY_HANGS ? "discovery document " : "token endpoint ";
                // The case happened: the request timed out, and the reason shows the URL it was made to.
                assertTrue(error.startsWith("could not obtain a token: " + endpoint + "http")
                        && error.endsWith(" did not answer within 5000 ms"), error);
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

    /** Probes liveness for {@code window}, collecting every websocket last_error seen meanwhile into {@code reasons}. */
    private static ProbeWindow.Result probingForReasons(GuardianProcess g, Duration window, Set<String> reasons) {
        return ProbeWindow.run(g, window, Duration.ofSeconds(1), Duration.ofMillis(100), answer -> {
            Health h = g.health();
            if (h.data("websocket").has("last_error")) {
                reasons.add(h.data("websocket").path("last_error").asText());
            }
        }, "/q/health/live");
    }

    private static String tail(String output) {
        return output.length() <= 4_000 ? output : "…" + output.substring(output.length() - 4_000);
    }
}
