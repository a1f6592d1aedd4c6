package dev.guardian.edge;

import java.time.Duration;

import dev.guardian.adapters.edge.EdgeSettings;

/** EdgeSettings for tests: the defaults on loopback, changed one field at a time. */
final class SettingsBuilder {
    private final int backendPort;
    Duration ping = Duration.ofSeconds(25);
    Duration pongTimeout = Duration.ofSeconds(10);
    String keepalive;
    Duration maxLifetime;
    Duration rotationWindow = Duration.ofSeconds(30);
    Duration rotationMargin = Duration.ofSeconds(5);
    int rotationCode = EdgeSettings.DEFAULT_ROTATION_CODE;
    String rotationReason = EdgeSettings.DEFAULT_ROTATION_REASON;
    boolean closeOnNotReady;
    int maxConnections = 1_000;
    int maxMessage = 1024 * 1024;
    int maxFrame = 64 * 1024;
    Duration drainWindow = Duration.ofSeconds(2);
    Duration retryAfter = Duration.ofSeconds(3);
    boolean trustForwarded;
    int maxBuffered = 16 * 1024 * 1024;

    SettingsBuilder(int backendPort) {
        this.backendPort = backendPort;
    }

    SettingsBuilder ping(Duration interval, Duration timeout) {
        ping = interval;
        pongTimeout = timeout;
        return this;
    }

    SettingsBuilder keepalive(String message) {
        keepalive = message;
        return this;
    }

    SettingsBuilder rotation(Duration lifetime, Duration window, Duration margin, int code, String reason) {
        maxLifetime = lifetime;
        rotationWindow = window;
        rotationMargin = margin;
        rotationCode = code;
        rotationReason = reason;
        return this;
    }

    SettingsBuilder closeOnNotReady() {
        closeOnNotReady = true;
        return this;
    }

    SettingsBuilder maxConnections(int n) {
        maxConnections = n;
        return this;
    }

    SettingsBuilder sizes(int message, int frame) {
        maxMessage = message;
        maxFrame = frame;
        return this;
    }

    SettingsBuilder drainWindow(Duration d) {
        drainWindow = d;
        return this;
    }

    SettingsBuilder maxBuffered(int bytes) {
        maxBuffered = bytes;
        return this;
    }

    SettingsBuilder trustForwarded() {
        trustForwarded = true;
        return this;
    }

    EdgeSettings build() {
        return new EdgeSettings("127.0.0.1", 0, "127.0.0.1", backendPort, ping, pongTimeout, keepalive, maxLifetime,
                rotationWindow, rotationMargin, rotationCode, rotationReason, closeOnNotReady, maxConnections,
                maxMessage, maxFrame, drainWindow, retryAfter, trustForwarded, maxBuffered);
    }
}
