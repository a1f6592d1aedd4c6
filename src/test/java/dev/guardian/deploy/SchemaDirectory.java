package dev.guardian.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the published schemas the deploy kit is validated against (they are data kept beside the project, not in
 * it). Looked up in order: the system property {@code guardian.schemas}, the environment variable
 * {@code DEPLOY_SCHEMAS}, then {@code shared/schemas} in each directory above the project, nearest first
 * ({@code ../shared/schemas} for a checkout that sits beside {@code shared}). Never skips: without the schemas
 * the validation fails and says where it looked.
 */
final class SchemaDirectory {
    static final String MARKER = "kubernetes-openapi-v2.json";

    private SchemaDirectory() {
    }

    static Path locate() {
        String property = System.getProperty("guardian.schemas");
        if (property != null && !property.isBlank()) {
            return explicit(Path.of(property), "system property guardian.schemas");
        }
        String variable = System.getenv("DEPLOY_SCHEMAS");
        if (variable != null && !variable.isBlank()) {
            return explicit(Path.of(variable), "environment variable DEPLOY_SCHEMAS");
        }
        List<Path> tried = new ArrayList<>();
        for (Path dir = Path.of("").toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("schemas");
            if (Files.isRegularFile(candidate.resolve(MARKER))) {
                return candidate;
            }
            tried.add(candidate);
        }
        throw new AssertionError("The published schemas (" + MARKER + ", service_v1.json, ...) were not found, so "
                + "the deploy manifests cannot be validated. Looked in: system property guardian.schemas (unset), "
                + "environment variable DEPLOY_SCHEMAS (unset), " + tried
                + ". Point -Dguardian.schemas=DIR or DEPLOY_SCHEMAS=DIR at the directory that holds them.");
    }

    private static Path explicit(Path dir, String source) {
        if (!Files.isRegularFile(dir.resolve(MARKER))) {
            throw new AssertionError(source + " names " + dir.toAbsolutePath() + ", which has no " + MARKER);
        }
        return dir;
    }
}
