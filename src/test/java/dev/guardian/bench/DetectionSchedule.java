package dev.guardian.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One detection scenario of the benchmark: the schedule it configures Guardian with, and the latest Guardian may
 * turn NOT_READY after the fault, derived from that schedule and nothing else.
 *
 * <p>Worst case: the fault lands just after an attempt passed, so the next attempt starts one {@code interval}
 * later, stretched by the whole jitter ({@code × (1 + jitter)}). Each of the {@code threshold} attempts that must fail
 * in a row then lasts {@code failing}: as long as the fault makes it wait (the attempt timeout against a frozen
 * Postgres, the pong timeout on a frozen path). Between two of them comes a retry pause, the n-th failure since the
 * last success waiting {@code min(retry × 2^(n-1), retryMax)}, also stretched by the jitter. So:
 *
 * <pre>
 * bound = interval × (1 + jitter) + threshold × failing + Σ (n = 1 .. threshold - 1) min(retry × 2^(n-1), retryMax) × (1 + jitter)
 * </pre>
 *
 * Computed here on its own, not with the engine's {@code Backoff}: a retry schedule that drifts from the documented one
 * (every retry waiting the maximum, as when the backoff never reset) then shows as detection past the bound.
 *
 * @param failingWhat what a failing attempt waits for, for the configuration column ("timeout", "pong-timeout")
 */
record DetectionSchedule(Duration interval, Duration failing, String failingWhat, int threshold,
        String thresholdWhat, Duration retry, Duration retryMax, double jitter) {

    /** The retry pauses between the failing attempts, before jitter. */
    List<Duration> retryPauses() {
        List<Duration> pauses = new ArrayList<>();
        for (int n = 1; n < threshold; n++) {
            Duration doubled = retry.multipliedBy(1L << (n - 1));
            pauses.add(doubled.compareTo(retryMax) > 0 ? retryMax : doubled);
        }
        return pauses;
    }

    Duration bound() {
        Duration bound = stretched(interval).plus(failing.multipliedBy(threshold));
        for (Duration pause : retryPauses()) {
            bound = bound.plus(stretched(pause));
        }
        return bound;
    }

    private Duration stretched(Duration d) {
        return Duration.ofNanos(Math.round(d.toNanos() * (1 + jitter)));
    }

    /** "interval 1s (+20 % jitter) + timeout 1s x failure-threshold 3 + retries 50 ms, 100 ms (+20 %)" */
    String describe() {
        String percent = Math.round(jitter * 100) + " %";
        return "interval " + human(interval) + " (+" + percent + " jitter) + " + failingWhat + " " + human(failing)
                + " x " + thresholdWhat + " " + threshold + " + retries " + String.join(", ",
                        retryPauses().stream().map(DetectionSchedule::human).toList()) + " (+" + percent + ")";
    }

    /** As Guardian's settings are written: "1s", "50ms". */
    static String setting(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : String.format(Locale.ROOT, "%d ms", d.toMillis());
    }
}
