package dev.guardian.checks.http;

import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import io.smallrye.config.WithUnnamedKey;

/** {@code guardian.http.<name>.*}: anything else the backend depends on over HTTP (an LLM gateway, a vector store). */
@ConfigMapping(prefix = "guardian.http")
public interface HttpConfig {

    @WithParentName
    @WithUnnamedKey(HttpChecks.KIND)
    @WithDefaults
    Map<String, HttpInstance> instances();
}
