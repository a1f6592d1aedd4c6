package dev.guardian.checks.postgres;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.guardian.checks.CheckContext;
import dev.guardian.checks.CheckProvider;
import dev.guardian.checks.ConfiguredCheck;
import dev.guardian.checks.Instances;
import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;
import dev.guardian.config.PropertyDoc;
import dev.guardian.engine.CheckSpec;
import dev.guardian.engine.Timing;

/** Postgres servers: one check per configured URL, {@code SELECT 1} on a connection of its own. */
@Singleton
public class PostgresChecks implements CheckProvider {
    static final String KIND = "postgres";
    private static final ConfigPrefix PREFIX = new ConfigPrefix("guardian.postgres", true, true);

    private final PostgresConfig config;

    @Inject
    public PostgresChecks(PostgresConfig config) {
        this.config = config;
    }

    @Override
    public List<ConfiguredCheck> checks(Problems problems, CheckContext context) {
        return Instances.each(problems, context, PREFIX, KIND, "url", config.instances(), PostgresConfig.Instance::url,
                (name, prefix, url, instance) -> {
                    PostgresUrl target = PostgresUrl.parse(problems, prefix + ".url", url, context.secrets());
                    Timing timing = instance.schedule().timing(problems, prefix, instance.timeout(), context.jitter());
                    if (target == null || timing == null) {
                        return null;
                    }
                    return new ConfiguredCheck(prefix, new CheckSpec(name, KIND, target.target(),
                            instance.schedule().role(problems, prefix), timing,
                            new PostgresCheck(context.vertx(), target, timing.timeout())));
                });
    }

    @Override
    public List<PropertyDoc> properties() {
        return List.of(
                PropertyDoc.configuresACheck("guardian.postgres.url", "`postgresql://user:password@host:"
                        + "port/database`; percent-encode special characters in the password. Parameters as libpq "
                        + "reads them: `sslmode` (`disable`, `allow`, `prefer` (default), `require`, `verify-ca`, "
                        + "`verify-full`), `sslrootcert` (the CA's PEM file), `host=/cloudsql/PROJECT:REGION:INSTANCE` "
                        + "for a Unix socket directory, `port` (also names the socket, `.s.PGSQL.<port>`), "
                        + "`application_name`; any other parameter is refused. "
                        + "`guardian.postgres.<name>.url` adds another server, checked as `<name>`"),
                PropertyDoc.of("guardian.postgres.timeout", "deadline of one attempt: connect, TLS, authenticate, "
                        + "`SELECT 1`"));
    }

    @Override
    public List<ConfigPrefix> prefixes() {
        return List.of(PREFIX);
    }
}
