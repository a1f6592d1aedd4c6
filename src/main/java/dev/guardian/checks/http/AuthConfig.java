package dev.guardian.checks.http;

import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import io.smallrye.config.WithUnnamedKey;

/** {@code guardian.auth.*}: the auth service, an HTTP check whose reasons name it. */
@ConfigMapping(prefix = "guardian.auth")
public interface AuthConfig {

    @WithParentName
    @WithUnnamedKey(AuthChecks.KIND)
    @WithDefaults
    Map<String, HttpInstance> instances();
}
