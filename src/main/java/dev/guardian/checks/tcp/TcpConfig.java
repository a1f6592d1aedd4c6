package dev.guardian.checks.tcp;

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

/** {@code guardian.tcp.<name>.*}: a dependency that only has to accept TCP connections. */
@ConfigMapping(prefix = "guardian.tcp")
public interface TcpConfig {

    @WithParentName
    @WithUnnamedKey(TcpChecks.KIND)
    @WithDefaults
    Map<String, Instance> instances();

    interface Instance {
        /** host:port */
        Optional<String> address();

        @WithDefault("2s")
        @WithConverter(Setting.PositiveDuration.class)
        Setting<Duration> timeout();

        @WithParentName
        Schedule schedule();
    }
}
