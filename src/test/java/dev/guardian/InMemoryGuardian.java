package dev.guardian;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import dev.guardian.adapters.edge.EdgeConfig;
import dev.guardian.balancer.LoadBalancerConfig;
import dev.guardian.checks.CheckProvider;
import dev.guardian.config.GuardianConfig;
import dev.guardian.engine.Secrets;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;

/**
 * Guardian's configuration read the way the application reads it (every @ConfigMapping, Guardian's properties file,
 * the given environment variables), and every check kind found in the build the way the container finds it, for
 * fast tests of what a configuration is refused with or turns into. No process, no network.
 */
public final class InMemoryGuardian {
    private static final Path CLASSES = Path.of("target/classes");

    private InMemoryGuardian() {
    }

    /** The plan Guardian would run with these variables; throws ConfigurationException as Guardian would refuse. */
    public static Plan plan(Vertx vertx, Map<String, String> environment) {
        return plan(vertx, environment, new Secrets());
    }

    public static Plan plan(Vertx vertx, Map<String, String> environment, Secrets secrets) {
        return plan(vertx, environment, Map.of(), secrets);
    }

    /** With {@code properties} given as {@code -D} system properties would be. */
    public static Plan plan(Vertx vertx, Map<String, String> environment, Map<String, String> properties,
            Secrets secrets) {
        SmallRyeConfig config = config(environment, properties);
        return Plan.read(config.getConfigMapping(GuardianConfig.class), config.getConfigMapping(LoadBalancerConfig.class),
                config.getConfigMapping(EdgeConfig.class), providers(config), config, environment, secrets, vertx);
    }

    public static SmallRyeConfig config(Map<String, String> environment) {
        return config(environment, Map.of());
    }

    public static SmallRyeConfig config(Map<String, String> environment, Map<String, String> systemProperties) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new EnvConfigSource(environment, 300))
                .withSources(new PropertiesConfigSource(systemProperties, "SysPropConfigSource", 400));
        try {
            URL properties = InMemoryGuardian.class.getResource("/application.properties");
            builder.withSources(new PropertiesConfigSource(properties, 250));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (Class<?> mapping : classes(c -> c.isAnnotationPresent(ConfigMapping.class))) {
            builder.withMapping(mapping);
        }
        return builder.build();
    }

    /** Every check kind of the build, constructed as the container would inject it. */
    public static List<CheckProvider> providers(SmallRyeConfig config) {
        List<CheckProvider> out = new ArrayList<>();
        MeterRegistry meters = new SimpleMeterRegistry();
        for (Class<?> c : classes(c -> CheckProvider.class.isAssignableFrom(c) && !c.isInterface()
                && !Modifier.isAbstract(c.getModifiers()))) {
            Constructor<?> constructor = Stream.of(c.getConstructors())
                    .filter(k -> k.isAnnotationPresent(Inject.class)).findFirst().orElseThrow();
            Object[] args = Stream.of(constructor.getParameterTypes()).map(t -> t == MeterRegistry.class ? meters
                    : t == Config.class ? config : config.getConfigMapping(t)).toArray();
            try {
                out.add((CheckProvider) constructor.newInstance(args));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** The build's classes under dev.guardian that satisfy {@code which}, in name order. */
    public static List<Class<?>> classes(java.util.function.Predicate<Class<?>> which) {
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/guardian"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted(Comparator.naturalOrder()).toList()) {
                String name = CLASSES.relativize(f).toString().replace(File.separatorChar, '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name);
                if (which.test(c)) {
                    out.add(c);
                }
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
