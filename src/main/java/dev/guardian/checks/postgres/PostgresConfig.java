package dev.guardian.checks.postgres;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.guardian.config.Schedule;
import dev.guardian.config.Setting;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import io.smallrye.config.WithUnnamedKey;

/** {@code guardian.postgres.*}, and {@code guardian.postgres.<name>.*} for more than one server. */
@ConfigMapping(prefix = "guardian.postgres")
public interface PostgresConfig {

    @WithParentName
    @WithUnnamedKey(PostgresChecks.KIND)
    @WithDefaults
    Map<String, Instance> instances();

    interface Instance {
        /** postgresql://user:password@host:5432/database?sslmode=...; a secret, so never shown as written. */
        Optional<String> url();

        @WithDefault("2s")
        @WithConverter(Setting.PositiveDuration.class)
        Setting<Duration> timeout();

        @WithParentName
        Schedule schedule();
    }
}
