package dev.guardian.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class SettingsParserTest {

    @Test
    void durationsAsSresWriteThem() {
        assertEquals(Duration.ofMillis(250), SettingsParser.parseDuration("250ms"));
        assertEquals(Duration.ofMillis(1500), SettingsParser.parseDuration("1.5s"));
        assertEquals(Duration.ofSeconds(20), SettingsParser.parseDuration("20"));
        assertEquals(Duration.ofMinutes(2), SettingsParser.parseDuration("2m"));
        assertEquals(Duration.ofSeconds(20), SettingsParser.parseDuration("PT20S"));
        assertNull(SettingsParser.parseDuration("0s"));
        assertNull(SettingsParser.parseDuration("-1s"));
        assertNull(SettingsParser.parseDuration("soon"));
    }

    @Test
    void environmentVariableNames() {
        assertEquals("GUARDIAN_REDIS_RETRY_MAX_INTERVAL", SettingsParser.envName("guardian.redis.retry-max-interval"));
    }

    @Test
    void displayedUrlsCarryNoCredentials() {
        assertEquals("postgresql://app:***@db:5432/chat",
                SettingsParser.display(URI.create("postgresql://app:s3cret@db:5432/chat")));
        assertEquals("redis://***@cache:6379", SettingsParser.display(URI.create("redis://s3cret@cache:6379")));
        assertEquals("https://auth/health?***", SettingsParser.display(URI.create("https://auth/health?token=abc")));
        assertEquals("1.5s", SettingsParser.human(Duration.ofMillis(1500)));
    }

    @Test
    void secretsAreScrubbedFromAnyText() {
        Secrets secrets = new Secrets();
        secrets.register("s3cret-value");
        assertEquals("login failed for ***", secrets.scrub("login failed for s3cret-value"));
    }
}
