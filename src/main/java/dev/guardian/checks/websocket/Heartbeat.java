package dev.guardian.checks.websocket;

import java.time.Duration;

/** The kept connection's settings: a ping every interval, its pong due within pongTimeout. */
record Heartbeat(Duration interval, Duration pongTimeout, int missedPongs, String keepaliveMessage) {
}
