package dev.guardian.checks.redis;

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

/** {@code guardian.redis.*}, and {@code guardian.redis.<name>.*} for more than one server. */
@ConfigMapping(prefix = "guardian.redis")
public interface RedisConfig {

    @WithParentName
    @WithUnnamedKey(RedisChecks.KIND)
    @WithDefaults
    Map<String, Instance> instances();

    interface Instance {
        /** redis://[:password@]host:6379[/db] or rediss:// for TLS; a secret, so never shown as written. */
        Optional<String> url();

        /** rediss://: the CA that signed the server's certificate (Memorystore's server CA), PEM. */
        Optional<String> caFile();

        /** rediss://: check that the certificate names the host. */
        @WithDefault("true")
        @WithConverter(Setting.Flag.class)
        Setting<Boolean> verifyHost();

        @WithDefault("2s")
        @WithConverter(Setting.PositiveDuration.class)
        Setting<Duration> timeout();

        @WithParentName
        Schedule schedule();
    }
}
