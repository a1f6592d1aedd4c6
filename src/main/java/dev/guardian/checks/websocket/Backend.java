package dev.guardian.checks.websocket;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The backend's WebSocket endpoint as the gate and the heartbeat reach it: validated configuration. {@code script} is
 * null when a ping proves the path; {@code tokenQueryParam} null sends the token as {@code Authorization: Bearer}.
 */
record Backend(URI uri, String display, Map<String, String> headers, List<String> subprotocols, Script script,
        int sessions, Duration connectTimeout, Duration upgradeTimeout, Duration stepTimeout, Duration pingTimeout,
        TokenSource tokens, String tokenQueryParam) {
    /** Largest message Guardian accepts from the backend; a bigger one fails the attempt. */
    static final int MAX_MESSAGE_SIZE = 1_048_576;

    /** connect-timeout + upgrade-timeout: by then the 101 must have arrived. */
    Duration handshakeDeadline() {
        return connectTimeout.plus(upgradeTimeout);
    }
}
