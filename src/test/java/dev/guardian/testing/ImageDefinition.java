package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an image's Dockerfile decides about the process: the user it runs as and, for {@code Dockerfile.jvm}, the JVM
 * options its base image's run-java.sh puts on the command line ({@code GC_CONTAINER_OPTIONS}, then
 * {@code JAVA_OPTS_APPEND}). Read from the file, so that a drift in the Dockerfile changes what the tests run.
 */
public final class ImageDefinition {
    private static final Pattern ENV = Pattern.compile("^ENV\\s+([A-Za-z_][A-Za-z0-9_]*)=\"([^\"]*)\"\\s*$");
    private static final Pattern USER = Pattern.compile("^USER\\s+(\\d+)(?::(\\d+))?\\s*$");

    private final Path file;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Long user;
    private Long group;

    private ImageDefinition(Path file) {
        this.file = file;
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher e = ENV.matcher(line.trim());
                if (e.matches()) {
                    env.put(e.group(1), e.group(2));
                }
                Matcher u = USER.matcher(line.trim());
                if (u.matches()) {
                    user = Long.parseLong(u.group(1));
                    group = u.group(2) == null ? null : Long.parseLong(u.group(2));
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The image a run uses: Dockerfile.native for a native executable, Dockerfile.jvm for the jar. */
    public static ImageDefinition forTheRun() {
        return new ImageDefinition(Path.of(GuardianProcess.nativeBinary() ? "Dockerfile.native" : "Dockerfile.jvm"));
    }

    public Path file() {
        return file;
    }

    /** The numeric USER of the final stage; fails when the image does not set one (runAsNonRoot needs it). */
    public long user() {
        if (user == null) {
            throw new AssertionError(file + " sets no numeric USER");
        }
        return user;
    }

    /** USER uid:gid's group, or 0: a runtime runs a uid that its image's passwd does not list with gid 0. */
    public long group() {
        return group == null ? 0 : group;
    }

    /**
     * The JVM options run-java.sh adds from the image's environment: {@code GC_CONTAINER_OPTIONS} (its default
     * {@code -XX:+UseParallelGC} when unset), then {@code JAVA_OPTS_APPEND}. Empty for an image without them.
     */
    public List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        if (!env.containsKey("JAVA_OPTS_APPEND") && !env.containsKey("GC_CONTAINER_OPTIONS")) {
            return options;
        }
        options.addAll(split(env.getOrDefault("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC")));
        options.addAll(split(env.getOrDefault("JAVA_OPTS_APPEND", "")));
        return options;
    }

    private static List<String> split(String options) {
        List<String> parts = new ArrayList<>();
        for (String p : options.trim().split("\\s+")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return parts;
    }
}
