package dev.guardian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The layout's rule, read from the sources: imports never run back up. The engine depends on nothing of Guardian's,
 * and neither does netty (tuning of Netty's pipeline that checks and adapters share); configuration only on the
 * engine; the balancer's rules on both; check kinds and adapters on those below them but never on each other, and no
 * check kind on another; only the wiring (dev.guardian itself) sees everything, and even it names no check kind (it
 * finds them as CheckProviders). A reference written out in full counts as an import.
 */
class LayersTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/guardian");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.guardian\\.([a-z]+)(?:\\.([a-z]+))?");
    /** Each top-level package and how low it sits: a package may use its own and those below it. */
    private static final Map<String, Integer> LAYER = Map.of("engine", 0, "netty", 0, "config", 1, "balancer", 2,
            "checks", 3, "adapters", 3, "", 4);

    @Test
    void importsNeverRunBackUpAndKindsStayApart() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                Path relative = SOURCES.relativize(file.getParent() == null ? file : file.getParent());
                String top = relative.getNameCount() == 0 || relative.toString().isEmpty() ? ""
                        : relative.getName(0).toString();
                String kind = relative.getNameCount() > 1 ? relative.getName(1).toString() : null;
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("package ")) {
                        continue;
                    }
                    Matcher m = REFERENCE.matcher(line);
                    while (m.find()) {
                        String why = violation(top, kind, m.group(1), m.group(2));
                        if (why != null) {
                            violations.add(SOURCES.relativize(file) + ": " + line.trim() + " (" + why + ")");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    private static String violation(String from, String fromKind, String to, String toKind) {
        Integer low = LAYER.get(to);
        if (low == null) {
            return null; // a class of the wiring package, e.g. dev.guardian.Guardian: only the wiring names it
        }
        if (from.isEmpty() && to.equals("checks") && toKind != null && Character.isLowerCase(toKind.charAt(0))) {
            return "the wiring may not name check kind " + toKind + ": kinds are found as CheckProviders";
        }
        int high = LAYER.get(from);
        if (low > high || (low == high && !from.equals(to))) {
            return from.isEmpty() ? null : from + " may not use " + to;
        }
        if (from.equals("checks") && fromKind != null && toKind != null && !fromKind.equals(toKind)
                && Character.isLowerCase(toKind.charAt(0))) {
            return "check kind " + fromKind + " may not use check kind " + toKind;
        }
        return null;
    }
}
