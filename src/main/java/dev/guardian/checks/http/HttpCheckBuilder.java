package dev.guardian.checks.http;

import java.net.URI;
import java.util.List;
import java.util.Map;

import dev.guardian.checks.CheckContext;
import dev.guardian.checks.ConfiguredCheck;
import dev.guardian.checks.Instances;
import dev.guardian.checks.Tls;
import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;
import dev.guardian.config.Urls;
import dev.guardian.engine.CheckSpec;
import dev.guardian.engine.Timing;
import io.vertx.core.net.PemTrustOptions;

/** Builds HTTP checks from their instances, for the auth service and for any other HTTP dependency alike. */
final class HttpCheckBuilder {
    private static final String EXAMPLE = "https://auth.example.com/health";

    private HttpCheckBuilder() {
    }

    /** @param what how reasons name the server: "the auth service" */
    static List<ConfiguredCheck> checks(Problems problems, CheckContext context, ConfigPrefix kindPrefix, String kind,
            Map<String, HttpInstance> instances, String what) {
        return Instances.each(problems, context, kindPrefix, kind, "url", instances, HttpInstance::url,
                (name, prefix, url, instance) -> {
                    URI uri = Urls.parse(problems, prefix + ".url", url, EXAMPLE, "http", "https");
                    Timing timing = instance.schedule().timing(problems, prefix, instance.timeout(), context.jitter());
                    PemTrustOptions trust = instance.caFile()
                            .map(f -> Tls.trust(problems, prefix + ".ca-file", f)).orElse(null);
                    if (uri == null || timing == null || (instance.caFile().isPresent() && trust == null)) {
                        return null;
                    }
                    Urls.userInfo(uri, context.secrets());
                    Urls.registerQuery(uri, context.secrets());
                    return new ConfiguredCheck(prefix, new CheckSpec(name, kind, Urls.display(uri),
                            instance.schedule().role(problems, prefix), timing,
                            new HttpCheck(context.vertx(), uri, trust, timing.timeout(), what)), uri);
                });
    }
}
