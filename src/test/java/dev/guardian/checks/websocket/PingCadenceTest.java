package dev.guardian.checks.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.guardian.InMemoryGuardian;
import dev.guardian.Plan;
import dev.guardian.balancer.Balancer;
import dev.guardian.balancer.LoadBalancerProfile;
import dev.guardian.config.Problems;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * The verdict on the backend's observed ping cadence and its wording, which is the startup refusal's
 * ({@link Balancer#unsafeBackendHeartbeat}); no timing here: the observations are given.
 */
class PingCadenceTest {
    private static final Vertx VERTX = Vertx.vertx();
    /** Behind a GKE backend service (30 s lifetime cap) a backend's heartbeat may be at most 15 s. */
    private static final Balancer GCP = Balancer.of(profile("gcp-backend-service"), new Problems());
    private static final String GCP_UNSAFE = "unsafe behind load-balancer profile gcp-backend-service, whose limit is "
            + "30s (lifetime cap: Google Cloud HTTP(S) load balancer backend service timeout (timeoutSec, default 30s) "
            + "for a GKE or VM backend, a cap on the whole connection lifetime, idle or not); the backend's heartbeat "
            + "must be at most half of it; the largest safe value is 15s";

    @AfterAll
    static void close() {
        VERTX.close();
    }

    private static dev.guardian.balancer.LoadBalancerConfig profile(String id) {
        return InMemoryGuardian.config(Map.of("GUARDIAN_LOAD_BALANCER_PROFILE", id))
                .getConfigMapping(dev.guardian.balancer.LoadBalancerConfig.class);
    }

    private static PingCadence.Finding judge(BackendPings mode, Duration interval, Duration silence) {
        return new PingCadence(GCP, mode).judge(interval, silence);
    }

    @Test
    void theIncidentsFortyFiveSecondPingsAreUnsafeInTheStartupRefusalsWords() {
        PingCadence.Finding f = judge(BackendPings.WARN, Duration.ofMillis(45_012), Duration.ofSeconds(3));
        assertEquals(PingCadence.Kind.INTERVAL, f.kind());
        assertEquals("the backend's pings came 45s apart: " + GCP_UNSAFE, f.text());
        // The same words as the refusal of a declared 45 s heartbeat, after the observation.
        assertEquals("the backend's pings came 45s apart: " + GCP.unsafeBackendHeartbeat(Duration.ofSeconds(45)),
                f.text());
    }

    @Test
    void aSilenceLongerThanTheLargestSafeIntervalIsUnsafeBeforeTheFirstPingToo() {
        PingCadence.Finding f = judge(BackendPings.WARN, null, Duration.ofMillis(16_040));
        assertEquals(PingCadence.Kind.SILENCE, f.kind());
        assertEquals("no ping from the backend for 16s: " + GCP_UNSAFE, f.text());
        assertNull(judge(BackendPings.WARN, null, Duration.ofSeconds(14)));
    }

    @Test
    void aBackendThatStoppedPingingIsSilentEvenAfterSafeIntervals() {
        PingCadence.Finding f = judge(BackendPings.WARN, Duration.ofSeconds(10), Duration.ofSeconds(40));
        assertEquals("no ping from the backend for 40s: " + GCP_UNSAFE, f.text());
    }

    @Test
    void anUnsafeIntervalStaysTheFindingWhileTheSilenceAfterItIsShorter() {
        // Between pings 45 s apart: 20 s of silence is also over 15 s, but the interval is the standing fact.
        assertEquals(PingCadence.Kind.INTERVAL,
                judge(BackendPings.WARN, Duration.ofSeconds(45), Duration.ofSeconds(20)).kind());
        // A silence past the last interval is newer.
        assertEquals("no ping from the backend for 50s: " + GCP_UNSAFE,
                judge(BackendPings.WARN, Duration.ofSeconds(45), Duration.ofSeconds(50)).text());
    }

    @Test
    void safeCadencesAndAPeriodJustOverTheSafeValueAreNotFlagged() {
        assertNull(judge(BackendPings.WARN, Duration.ofSeconds(10), Duration.ofSeconds(9)));
        // uvicorn --ws-ping-interval 15 (accepted at startup): the period is 15 s plus the pong's round trip.
        assertNull(judge(BackendPings.WARN, Duration.ofMillis(15_004), Duration.ofMillis(15_400)));
        assertEquals("the backend's pings came 16s apart: " + GCP_UNSAFE,
                judge(BackendPings.WARN, Duration.ofMillis(15_600), Duration.ZERO).text());
    }

    @Test
    void shortLimitsAreToldInTenthsOrMilliseconds() {
        // idle timeout 5 s: a backend's heartbeat at most 2.5 s, flagged past 2.75 s
        PingCadence tight = new PingCadence(new Balancer(LoadBalancerProfile.NGINX, Duration.ofSeconds(5), null, false),
                BackendPings.WARN);
        assertNull(tight.judge(Duration.ofMillis(2_700), Duration.ZERO));
        assertEquals("the backend's pings came 3.1s apart: ", prefix(tight.judge(Duration.ofMillis(3_080), Duration.ZERO)));
        // idle timeout 1.2 s: at most 600 ms, flagged past 660 ms; 0.7 s still reads as more than 0.6 s
        PingCadence tighter = new PingCadence(new Balancer(LoadBalancerProfile.NGINX, Duration.ofMillis(1_200), null,
                false), BackendPings.WARN);
        assertEquals("no ping from the backend for 700ms: ", prefix(tighter.judge(null, Duration.ofMillis(670))));
    }

    private static String prefix(PingCadence.Finding f) {
        return f.text().substring(0, f.text().indexOf("unsafe behind"));
    }

    @Test
    void noneIgnoresSilenceButNotPingsThatComeTooFarApart() {
        assertNull(judge(BackendPings.NONE, null, Duration.ofMinutes(10)));
        assertNull(judge(BackendPings.NONE, Duration.ofSeconds(10), Duration.ofMinutes(10)));
        assertEquals("the backend's pings came 45s apart: " + GCP_UNSAFE,
                judge(BackendPings.NONE, Duration.ofSeconds(45), Duration.ofMinutes(10)).text());
    }

    @Test
    void failJudgesAsWarnDoes() {
        assertEquals(judge(BackendPings.WARN, null, Duration.ofSeconds(20)),
                judge(BackendPings.FAIL, null, Duration.ofSeconds(20)));
    }

    @Test
    void withoutKnownLimitsNothingIsJudged() {
        PingCadence none = new PingCadence(Balancer.none(), BackendPings.WARN);
        assertNull(none.largestSafe());
        assertNull(none.judge(Duration.ofMinutes(5), Duration.ofHours(1)));
    }

    @Test
    void anIdleTimeoutOverrideSetsTheLimitInTheSameWords() {
        Balancer nginx = new Balancer(LoadBalancerProfile.NGINX, Duration.ofSeconds(25), null, false);
        PingCadence.Finding f = new PingCadence(nginx, BackendPings.WARN).judge(null, Duration.ofMillis(13_160));
        assertEquals("no ping from the backend for 13s: unsafe behind load-balancer profile nginx, whose limit is 25s "
                + "(idle timeout: nginx proxy_read_timeout (default 60s)); the backend's heartbeat must be at most half "
                + "of it; the largest safe value is 12.5s", f.text());
    }

    @Test
    void theObservationCountsTheFirstIntervalFromTheOpening() {
        PingObservation o = new PingObservation(1_000_000_000L);
        assertNull(o.interval());
        assertEquals(Duration.ofSeconds(4), o.silence(5_000_000_000L));
        o.ping(46_000_000_000L);
        assertEquals(Duration.ofSeconds(45), o.interval());
        o.ping(56_000_000_000L);
        assertEquals(Duration.ofSeconds(10), o.interval());
        assertEquals(Duration.ofSeconds(2), o.silence(58_000_000_000L));
        assertEquals(2, o.pings());
    }

    @Test
    void theModeIsReadAndAnyOtherValueRefusedInGuardiansWords() {
        Plan plan = InMemoryGuardian.plan(VERTX, Map.of("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws",
                "GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-backend-service", "GUARDIAN_HEARTBEAT_BACKEND_PINGS", "FAIL"));
        assertEquals("fail", plan.engine().facts().get("backend_pings"));
        assertEquals(15_000L, plan.engine().facts().get("largest_safe_backend_heartbeat_interval_ms"));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> InMemoryGuardian.plan(VERTX,
                Map.of("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:1/ws", "GUARDIAN_HEARTBEAT_BACKEND_PINGS", "ignore")));
        assertEquals("Guardian refuses to start: 1 configuration problem\n  guardian.heartbeat.backend-pings "
                + "(GUARDIAN_HEARTBEAT_BACKEND_PINGS) = \"ignore\": use warn (an unsafe cadence is logged and shown), "
                + "fail (it fails the heartbeat check) or none (the backend never pings by design: its silence is not "
                + "flagged)", e.getMessage());
    }
}
