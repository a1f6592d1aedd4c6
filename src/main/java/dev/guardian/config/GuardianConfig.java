package dev.guardian.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * Guardian's whole configuration, exactly as written (environment variables or properties).
 * Values stay strings here so that {@link SettingsParser} can report every bad value in Guardian's own words,
 * naming the property and its environment variable, instead of failing on the first conversion error.
 */
@ConfigMapping(prefix = "guardian")
public interface GuardianConfig {

    Startup startup();

    Dependency postgres();

    Dependency redis();

    Dependency auth();

    /** Random spread applied to every delay, as a fraction (0.2 = ±20 %), so replicas do not probe in lockstep. */
    @WithDefault("0.2")
    String jitter();

    interface Startup {
        /** Total time from process start for every check to pass. */
        @WithDefault("20s")
        String budget();

        /** Exit non-zero when the budget runs out, so that the platform restarts the instance. */
        @WithDefault("false")
        String exitOnFailure();
    }

    interface Dependency {
        /** Where the dependency is; no URL, no check. */
        Optional<String> url();

        @WithParentName
        Timing timing();
    }

    /** Envoy's vocabulary: timeout, interval, healthy/unhealthy thresholds, plus the retry backoff while failing. */
    interface Timing {
        @WithDefault("2s")
        String timeout();

        @WithDefault("5s")
        String interval();

        @WithDefault("50ms")
        String retryInterval();

        @WithDefault("200ms")
        String retryMaxInterval();

        @WithDefault("3")
        String failureThreshold();

        @WithDefault("2")
        String successThreshold();
    }
}
