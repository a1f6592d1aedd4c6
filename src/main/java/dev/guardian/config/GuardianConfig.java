package dev.guardian.config;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** The settings of Guardian as a whole; every check kind maps its own part ({@code guardian.postgres.*}, ...). */
@ConfigMapping(prefix = "guardian")
public interface GuardianConfig {

    Startup startup();

    /** Random spread applied to every delay, as a fraction (0.2 = ±20 %), so replicas do not probe in lockstep. */
    @WithDefault("0.2")
    @WithConverter(Setting.Fraction.class)
    Setting<Double> jitter();

    /** Starting with no check configured reports READY at once: allowed only when asked for. */
    @WithDefault("false")
    @WithConverter(Setting.Flag.class)
    Setting<Boolean> allowNoChecks();

    interface Startup {
        /** Total time from process start for every check to pass. */
        @WithDefault("20s")
        @WithConverter(Setting.PositiveDuration.class)
        Setting<Duration> budget();

        /** Exit with code 3 when the budget runs out, so that the platform restarts the instance. */
        @WithDefault("false")
        @WithConverter(Setting.Flag.class)
        Setting<Boolean> exitOnFailure();

        /** FAILED stays FAILED (Cloud Run's startup gate); false: READY still comes once every check passes. */
        @WithDefault("true")
        @WithConverter(Setting.Flag.class)
        Setting<Boolean> failedIsFinal();
    }

    List<PropertyDoc> DOCS = List.of(
            PropertyDoc.of("guardian.startup.budget", "total time from process start for every check to pass; then "
                    + "FAILED. Must be at least every attempt timeout"),
            PropertyDoc.of("guardian.startup.exit-on-failure", "exit with code 3 when the budget runs out"),
            PropertyDoc.of("guardian.startup.failed-is-final", "`true`: FAILED stays, the startup probe stays DOWN "
                    + "(Cloud Run's gate). `false`: READY still comes once every check passes (Kubernetes, where "
                    + "readiness is the gate)"),
            PropertyDoc.of("guardian.jitter", "random spread of every delay (fraction, 0 to 1) so replicas do not "
                    + "probe in lockstep"),
            PropertyDoc.of("guardian.allow-no-checks", "start with no check configured (READY at once); otherwise "
                    + "that is refused"));

    /** Quarkus' own settings that Guardian's properties file reads from variables of its own. */
    List<PropertyDoc> PLATFORM = List.of(
            PropertyDoc.alias("quarkus.http.port", "GUARDIAN_PORT", "`8090`", "the public port: the platform's probes "
                    + "(`/q/health/started`, `/ready`, `/live`), status and state only, on all interfaces"),
            PropertyDoc.alias("quarkus.management.port", "GUARDIAN_MANAGEMENT_PORT", "`9000`", "the management "
                    + "interface: detailed health JSON (`/q/health`), metrics (`/q/metrics`), status page (`/q/status`)"),
            PropertyDoc.alias("quarkus.management.host", "GUARDIAN_MANAGEMENT_HOST", "`127.0.0.1`", "where the management "
                    + "interface listens; `0.0.0.0` to let Prometheus scrape the pod"),
            PropertyDoc.alias("quarkus.http.limits.max-connections", "GUARDIAN_MAX_CONNECTIONS", "`1024`", "connections "
                    + "each port accepts at once; idle ones are dropped after 30 s"),
            PropertyDoc.alias("quarkus.shutdown.delay", "GUARDIAN_SHUTDOWN_DRAIN", "`2s`", "after SIGTERM: how long "
                    + "readiness answers 503 (DRAINING) while probes are still served, before Guardian exits 0"),
            PropertyDoc.alias("quarkus.log.console.json.enabled", "GUARDIAN_LOG_JSON", "`false`", "JSON logs with Cloud "
                    + "Logging's fields (`severity`, `message`, `timestamp`; state and failing checks as "
                    + "`logging.googleapis.com/labels`)"));
}
