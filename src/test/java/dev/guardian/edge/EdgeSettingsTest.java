package dev.guardian.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import dev.guardian.adapters.edge.EdgeSettings;

/** EdgeSettings refuses what cannot work, naming the field, so configuration can report it as is. */
class EdgeSettingsTest {

    private static String refusal(UnaryOperator<SettingsBuilder> change) {
        return assertThrows(IllegalArgumentException.class, () -> change.apply(new SettingsBuilder(8081)).build())
                .getMessage();
    }

    @Test
    void theDefaultsAreValid() {
        EdgeSettings d = EdgeSettings.defaults("0.0.0.0", 8080, "127.0.0.1", 8081);
        assertEquals(1012, d.rotationCode());
        assertEquals(Duration.ofSeconds(25), d.clientPingInterval());
        assertEquals(1_000, d.maxConnections());
    }

    @Test
    void aRotationWindowThatDoesNotFitTheLifetimeIsRefused() {
        assertEquals("rotationWindow + rotationMargin must be shorter than maxLifetime", refusal(b -> b.rotation(
                Duration.ofSeconds(30), Duration.ofSeconds(25), Duration.ofSeconds(5), 1012, "reconnect")));
    }

    @Test
    void closeCodesThatMayNotBeSentAreRefused() {
        for (int code : new int[] { 999, 1004, 1005, 1006, 1015, 2000, 5000 }) {
            assertEquals("rotationCode " + code + " cannot be sent in a close frame; use 1000-1003, 1007-1014 or "
                    + "3000-4999", refusal(b -> b.rotation(Duration.ofMinutes(5), Duration.ofSeconds(30),
                            Duration.ofSeconds(5), code, "reconnect")));
        }
        new SettingsBuilder(8081).rotation(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(5), 4000,
                "reconnect").build();
    }

    @Test
    void aReasonLongerThanACloseFrameAllowsIsRefused() {
        assertEquals("rotationReason must be set and at most 123 bytes in UTF-8", refusal(b -> b.rotation(
                Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(5), 1012, "é".repeat(62))));
    }

    @Test
    void sizesAndTimingsMustMakeSense() {
        assertEquals("maxMessageSize must be at least maxFrameSize", refusal(b -> b.sizes(1024, 4096)));
        assertEquals("maxConnections must be at least 1", refusal(b -> b.maxConnections(0)));
        assertEquals("pongTimeout must be a positive duration", refusal(b -> b.ping(Duration.ofSeconds(1),
                Duration.ZERO)));
        assertEquals("drainWindow must be zero or positive", refusal(b -> b.drainWindow(Duration.ofSeconds(-1))));
    }
}
