package dev.guardian.config;

/**
 * A part of the configuration that one check kind reads: {@code prefix} (guardian.postgres), whether several named
 * instances may be configured under it ({@code guardian.postgres.replica.url}), and whether the shared
 * {@link Schedule} settings apply there.
 */
public record ConfigPrefix(String prefix, boolean named, boolean scheduled) {
}
