package dev.guardian.config;

import java.time.Duration;
import java.util.List;

import dev.guardian.engine.Role;
import dev.guardian.engine.Timing;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * The scheduling settings every check kind shares, as a mapping group under the kind's own prefix
 * ({@code guardian.postgres.interval}, ...). Each kind declares its own {@code timeout}, whose default differs.
 */
public interface Schedule {

    @WithDefault("5s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> interval();

    @WithDefault("50ms")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> retryInterval();

    @WithDefault("200ms")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> retryMaxInterval();

    @WithDefault("3")
    @WithConverter(Setting.AtLeastOne.class)
    Setting<Integer> failureThreshold();

    @WithDefault("2")
    @WithConverter(Setting.AtLeastOne.class)
    Setting<Integer> successThreshold();

    @WithDefault("required")
    @WithConverter(Setting.RoleName.class)
    Setting<Role> role();

    /** The check's timing, or null when any part of it was refused. */
    default Timing timing(Problems problems, String prefix, Setting<Duration> timeoutSetting, double jitter) {
        Duration timeout = problems.value(prefix + ".timeout", timeoutSetting);
        Duration every = problems.value(prefix + ".interval", interval());
        Duration retry = problems.value(prefix + ".retry-interval", retryInterval());
        Duration retryMax = problems.value(prefix + ".retry-max-interval", retryMaxInterval());
        Integer failures = problems.value(prefix + ".failure-threshold", failureThreshold());
        Integer successes = problems.value(prefix + ".success-threshold", successThreshold());
        if (retry != null && retryMax != null && retryMax.compareTo(retry) < 0) {
            problems.refuse(prefix + ".retry-max-interval", retryMaxInterval().raw(),
                    "must be at least " + prefix + ".retry-interval (" + retryInterval().raw() + ")");
            return null;
        }
        if (timeout == null || every == null || retry == null || retryMax == null || failures == null
                || successes == null) {
            return null;
        }
        return new Timing(timeout, every, retry, retryMax, failures, successes, jitter);
    }

    default Role role(Problems problems, String prefix) {
        Role r = problems.value(prefix + ".role", role());
        return r == null ? Role.REQUIRED : r;
    }

    /** The shared settings' names under a kind's prefix. */
    List<String> SUFFIXES = List.of("interval", "retry-interval", "retry-max-interval", "failure-threshold",
            "success-threshold", "role");

    /** The README rows of the shared settings, written once for every kind as {@code guardian.<check>.…}. */
    static List<PropertyDoc> docs() {
        String p = "guardian.<check>";
        return List.of(
                PropertyDoc.of(p + ".interval", "pause between attempts while the check passes"),
                PropertyDoc.of(p + ".retry-interval", "first pause before retrying a failed attempt (doubles with "
                        + "each failure in a row, counted from the last success)"),
                PropertyDoc.of(p + ".retry-max-interval", "longest pause between retries"),
                PropertyDoc.of(p + ".failure-threshold", "after READY: consecutive failures that make the check "
                        + "unhealthy"),
                PropertyDoc.of(p + ".success-threshold", "after READY: consecutive successes that make it healthy "
                        + "again"),
                PropertyDoc.of(p + ".role", "`required` gates startup and readiness; `startup` gates startup only "
                        + "(afterwards its failures are reported, not acted on); `informational` never gates"));
    }
}
