package dev.guardian.checks.redis;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.guardian.checks.CheckContext;
import dev.guardian.checks.CheckProvider;
import dev.guardian.checks.ConfiguredCheck;
import dev.guardian.checks.Instances;
import dev.guardian.checks.Tls;
import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;
import dev.guardian.config.PropertyDoc;
import dev.guardian.config.Urls;
import dev.guardian.engine.CheckSpec;
import dev.guardian.engine.Timing;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisOptions;

/** Redis servers: one check per configured URL, {@code PING} on a connection of its own. */
@Singleton
public class RedisChecks implements CheckProvider {
    static final String KIND = "redis";
    private static final ConfigPrefix PREFIX = new ConfigPrefix("guardian.redis", true, true);
    private static final String EXAMPLE = "redis://[:password@]host:6379[/db]";

    private final RedisConfig config;

    @Inject
    public RedisChecks(RedisConfig config) {
        this.config = config;
    }

    @Override
    public List<ConfiguredCheck> checks(Problems problems, CheckContext context) {
        return Instances.each(problems, context, PREFIX, KIND, "url", config.instances(), RedisConfig.Instance::url,
                (name, prefix, url, instance) -> {
                    URI uri = Urls.parse(problems, prefix + ".url", url, EXAMPLE, "redis", "rediss");
                    Timing timing = instance.schedule().timing(problems, prefix, instance.timeout(), context.jitter());
                    RedisOptions options = uri == null || timing == null ? null
                            : options(problems, prefix, url, uri, instance, timing.timeout(), context);
                    if (options == null) {
                        return null;
                    }
                    String target = uri.getHost() + ":" + Urls.port(uri, 6379);
                    return new ConfiguredCheck(prefix, new CheckSpec(name, KIND, target,
                            instance.schedule().role(problems, prefix), timing,
                            new RedisCheck(context.vertx(), options, uri.getHost(), tlsSetting(uri, instance))));
                });
    }

    /** The client's options, built once: the URL is handed to Vert.x here and never parsed again per attempt. */
    private static RedisOptions options(Problems problems, String prefix, String url, URI uri,
            RedisConfig.Instance instance, Duration timeout, CheckContext context) {
        Urls.userInfo(uri, context.secrets());
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!path.isEmpty() && !path.matches("\\d{1,2}")) {
            problems.refuse(prefix + ".url", Urls.display(uri), "has database \"" + path + "\"; a Redis database is a "
                    + "number such as 0");
            return null;
        }
        if (uri.getRawQuery() != null) {
            problems.refuse(prefix + ".url", Urls.display(uri), "has URL parameters, which Guardian does not read; "
                    + "set TLS with rediss:// and " + prefix + ".ca-file");
            return null;
        }
        boolean tls = uri.getScheme().equalsIgnoreCase("rediss");
        Boolean verifyHost = problems.value(prefix + ".verify-host", instance.verifyHost());
        int millis = (int) Math.max(1, timeout.toMillis());
        // connectTimeout bounds only TCP; the idle timeout closes a socket on which the server stopped answering.
        NetClientOptions net = new NetClientOptions().setConnectTimeout(millis).setIdleTimeout(millis)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setSslHandshakeTimeout(millis)
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        if (instance.caFile().isPresent()) {
            if (!tls) {
                problems.refuse(prefix + ".ca-file", instance.caFile().get(), "is set but the URL is redis://; use "
                        + "rediss:// for TLS");
                return null;
            }
            PemTrustOptions trust = Tls.trust(problems, prefix + ".ca-file", instance.caFile().get());
            if (trust == null) {
                return null;
            }
            net.setPemTrustOptions(trust);
        }
        if (tls) {
            // Vert.x refuses a TLS connection whose algorithm was never set; "" is its way to say: do not verify.
            net.setHostnameVerificationAlgorithm(Boolean.TRUE.equals(verifyHost) ? "HTTPS" : "");
        }
        return new RedisOptions().setConnectionString(url.trim()).setMaxPoolSize(1).setMaxPoolWaiting(1)
                .setNetClientOptions(net);
    }

    private static String tlsSetting(URI uri, RedisConfig.Instance instance) {
        return uri.getScheme().equalsIgnoreCase("rediss")
                ? "rediss" + instance.caFile().map(f -> ", ca-file=" + f).orElse(", the JVM's trusted CAs") : null;
    }

    @Override
    public List<PropertyDoc> properties() {
        return List.of(
                PropertyDoc.configuresACheck("guardian.redis.url", "`redis://[:password@]host:port[/db]`, "
                        + "or `rediss://` for TLS. `guardian.redis.<name>.url` adds another server, checked as "
                        + "`<name>`"),
                PropertyDoc.optional("guardian.redis.ca-file", "(the JVM's trusted CAs)", "`rediss://`: PEM file of "
                        + "the CA that signed the server's certificate (Memorystore's in-transit encryption uses its "
                        + "own server CA)"),
                PropertyDoc.of("guardian.redis.verify-host", "`rediss://`: the certificate must name the host"),
                PropertyDoc.of("guardian.redis.timeout", "deadline of one attempt: connect, TLS, `PING`"));
    }

    @Override
    public List<ConfigPrefix> prefixes() {
        return List.of(PREFIX);
    }
}
