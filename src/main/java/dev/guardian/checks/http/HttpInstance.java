package dev.guardian.checks.http;

import java.time.Duration;
import java.util.Optional;

import dev.guardian.config.Schedule;
import dev.guardian.config.Setting;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/** The settings of one HTTP check (the auth service's, or any other's). */
public interface HttpInstance {
    /** http(s)://… answering 2xx when ready; user info and query values are secrets, never shown. */
    Optional<String> url();

    /** https: PEM file of the CA that signed the server's certificate (default: the JVM's trusted CAs). */
    Optional<String> caFile();

    @WithDefault("2s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> timeout();

    @WithParentName
    Schedule schedule();
}
