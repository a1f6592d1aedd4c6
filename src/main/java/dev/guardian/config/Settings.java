package dev.guardian.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Guardian's configuration after validation: every value typed, every URL parsed, every secret registered. */
public record Settings(Duration budget, boolean exitOnFailure, Optional<Postgres> postgres, Optional<Redis> redis,
        Optional<Auth> auth) {

    /** {@code display} is the URL with its password masked, safe to show anywhere. */
    public record Postgres(String host, int port, String database, String user, String password, String display,
            CheckTiming timing) {
    }

    public record Redis(String connectionString, String host, int port, String display, CheckTiming timing) {
    }

    public record Auth(URI uri, String display, CheckTiming timing) {
    }
}
