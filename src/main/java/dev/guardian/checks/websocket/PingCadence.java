package dev.guardian.checks.websocket;

import java.time.Duration;

import dev.guardian.balancer.Balancer;
import dev.guardian.config.Setting;

/**
 * Judges the backend's observed ping cadence by the rule of the startup refusal ({@link Balancer#unsafeBackendHeartbeat}):
 * an interval between pings, or a silence, longer than the largest safe interval for a backend heartbeat is unsafe,
 * in the same words. An observed period includes the pong's round trip and the backend's timer delays, so a backend
 * set to exactly the largest safe value (accepted at startup) is allowed a little over it: half a second, at most a
 * tenth of the value.
 */
final class PingCadence {
    private static final Duration SLACK = Duration.ofMillis(500);

    /** What was found unsafe: the last gap between pings, or the silence since the last one. */
    enum Kind {
        INTERVAL, SILENCE
    }

    record Finding(Kind kind, String text) {
    }

    private final Balancer balancer;
    private final BackendPings mode;
    /** null: the balancer's limits are unknown, nothing is judged */
    private final Duration safe;
    private final Duration flaggedAbove;

    PingCadence(Balancer balancer, BackendPings mode) {
        this.balancer = balancer;
        this.mode = mode;
        this.safe = balancer.largestSafeInterval(Duration.ZERO);
        this.flaggedAbove = safe == null ? null : safe.plus(min(SLACK, safe.dividedBy(10)));
    }

    BackendPings mode() {
        return mode;
    }

    /** The largest safe interval of a backend heartbeat; null when the balancer's limits are unknown. */
    Duration largestSafe() {
        return safe;
    }

    /**
     * @param interval the last gap between pings (from the opening for the first); null before the first ping
     * @param silence since the last ping, or since the opening
     * @return null when the cadence is safe (or cannot be judged)
     */
    Finding judge(Duration interval, Duration silence) {
        if (safe == null) {
            return null;
        }
        boolean slow = interval != null && interval.compareTo(flaggedAbove) > 0;
        // A silence longer than the last interval is the newer fact (a backend that stopped pinging).
        boolean silent = mode != BackendPings.NONE && silence.compareTo(flaggedAbove) > 0
                && (interval == null || silence.compareTo(interval) > 0);
        if (silent) {
            return new Finding(Kind.SILENCE, "no ping from the backend for " + shown(silence) + ": "
                    + balancer.unsafeBackendHeartbeat(silence));
        }
        if (slow) {
            return new Finding(Kind.INTERVAL, "the backend's pings came " + shown(interval) + " apart: "
                    + balancer.unsafeBackendHeartbeat(interval));
        }
        return null;
    }

    /**
     * As an SRE would say it: whole seconds from 10 s ("45s", what the backend was configured with, give or take the
     * scheduling), tenths below ("2.6s"); always more precise when rounding would not read as over the safe value.
     */
    private String shown(Duration observed) {
        long ms = observed.toMillis();
        Duration seconds = Duration.ofSeconds(Math.round(ms / 1000.0));
        if (ms >= 10_000 && seconds.compareTo(safe) > 0) {
            return Setting.human(seconds);
        }
        Duration tenths = Duration.ofMillis(Math.round(ms / 100.0) * 100);
        return Setting.human(tenths.compareTo(safe) > 0 ? tenths : Duration.ofMillis(ms));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
