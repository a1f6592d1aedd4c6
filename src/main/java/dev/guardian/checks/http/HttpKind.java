package dev.guardian.checks.http;

import java.util.List;
import java.util.Map;

import dev.guardian.checks.CheckContext;
import dev.guardian.checks.CheckProvider;
import dev.guardian.checks.ConfiguredCheck;
import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;
import dev.guardian.config.PropertyDoc;

/** A kind of HTTP check: where it is configured, how reasons name its server, its README rows. */
abstract class HttpKind implements CheckProvider {
    private final String kind;
    private final ConfigPrefix prefix;
    private final Map<String, HttpInstance> instances;
    private final String what;

    /** @param what how reasons name the server: "the auth service" */
    HttpKind(String kind, Map<String, HttpInstance> instances, String what) {
        this.kind = kind;
        this.prefix = new ConfigPrefix("guardian." + kind, true, true);
        this.instances = instances;
        this.what = what;
    }

    @Override
    public List<ConfiguredCheck> checks(Problems problems, CheckContext context) {
        return HttpCheckBuilder.checks(problems, context, prefix, kind, instances, what);
    }

    @Override
    public List<ConfigPrefix> prefixes() {
        return List.of(prefix);
    }

    /** The rows every HTTP kind shares, after its URL's. */
    List<PropertyDoc> properties(PropertyDoc url) {
        return List.of(url,
                PropertyDoc.optional(prefix.prefix() + ".ca-file", "(the JVM's trusted CAs)", "`https://`: PEM file of "
                        + "the CA that signed the server's certificate"),
                PropertyDoc.of(prefix.prefix() + ".timeout", "deadline of one attempt: connect, TLS, status line"));
    }
}
