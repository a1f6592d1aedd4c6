package dev.guardian.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;

/**
 * The instances of a kind that supports several: {@code guardian.postgres.url} is the check named {@code postgres},
 * {@code guardian.postgres.replica.url} the check named {@code replica}. An instance exists once its URL is set; a
 * named instance with settings but no URL is refused rather than ignored.
 */
public final class Instances {
    private Instances() {
    }

    /** Builds one check per configured instance. */
    public interface Builder<I> {
        /** @return the check, or null when its configuration was refused */
        ConfiguredCheck build(String name, String prefix, String key, I instance);
    }

    /**
     * @param keyProperty the setting that makes an instance exist: url (address for tcp)
     * @param key reads it from an instance
     */
    public static <I> List<ConfiguredCheck> each(Problems problems, CheckContext context, ConfigPrefix kindPrefix,
            String kind, String keyProperty, Map<String, I> instances, Function<I, Optional<String>> key,
            Builder<I> builder) {
        List<ConfiguredCheck> out = new ArrayList<>();
        Map<String, I> byName = new TreeMap<>((a, b) -> a.equals(kind) ? -1 : b.equals(kind) ? 1 : a.compareTo(b));
        byName.putAll(instances);
        for (Map.Entry<String, I> e : byName.entrySet()) {
            String name = e.getKey();
            boolean unnamed = name.equals(kind);
            String prefix = unnamed ? kindPrefix.prefix() : kindPrefix.prefix() + "." + name;
            Optional<String> value = key.apply(e.getValue());
            if (!unnamed) {
                context.names().checkName(problems, kindPrefix, name);
                if (value.isEmpty()) {
                    problems.refuse(prefix + "." + keyProperty, null, "is required: settings name a check \""
                            + name + "\" but give it no " + keyProperty);
                    continue;
                }
            }
            if (value.isPresent()) {
                ConfiguredCheck check = builder.build(name, prefix, value.get(), e.getValue());
                if (check != null) {
                    out.add(check);
                }
            }
        }
        return out;
    }
}
