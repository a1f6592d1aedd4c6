package dev.guardian.checks.tcp;

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

/** Dependencies that must accept TCP connections: {@code guardian.tcp.<name>.address=host:port}. */
@Singleton
public class TcpChecks implements CheckProvider {
    static final String KIND = "tcp";
    private static final ConfigPrefix PREFIX = new ConfigPrefix("guardian.tcp", true, true);

    private final TcpConfig config;

    @Inject
    public TcpChecks(TcpConfig config) {
        this.config = config;
    }

    @Override
    public List<ConfiguredCheck> checks(Problems problems, CheckContext context) {
        return Instances.each(problems, context, PREFIX, KIND, "address", config.instances(),
                TcpConfig.Instance::address, (name, prefix, address, instance) -> {
                    TcpAddress target = TcpAddress.parse(problems, prefix + ".address", address);
                    Timing timing = instance.schedule().timing(problems, prefix, instance.timeout(), context.jitter());
                    if (target == null || timing == null) {
                        return null;
                    }
                    return new ConfiguredCheck(prefix, new CheckSpec(name, KIND, target.toString(),
                            instance.schedule().role(problems, prefix), timing,
                            new TcpCheck(context.vertx(), target, timing.timeout())));
                });
    }

    @Override
    public List<PropertyDoc> properties() {
        return List.of(
                PropertyDoc.configuresACheck("guardian.tcp.address", "`host:port` that must accept a TCP "
                        + "connection; `guardian.tcp.<name>.address` names each"),
                PropertyDoc.of("guardian.tcp.timeout", "deadline of one attempt: the TCP connect"));
    }

    @Override
    public List<ConfigPrefix> prefixes() {
        return List.of(PREFIX);
    }
}
