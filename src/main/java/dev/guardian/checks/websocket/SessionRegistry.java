package dev.guardian.checks.websocket;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The sessions of the attempt in progress, so that a misrouted reply is named wherever it lands: on another probe
 * session, or on the heartbeat's kept connection. Session tokens are {@code s<N>-<attempt id>}; a frame is scanned
 * once for the attempt id, so the cost per frame grows with its length, not with the number of sessions.
 */
final class SessionRegistry {
    private record Round(String id, Map<String, Session> byToken) {
    }

    private volatile Round round;

    void begin(String id, Map<String, Session> byToken) {
        round = new Round(id, Map.copyOf(byToken));
    }

    void end(String id) {
        Round r = round;
        if (r != null && r.id().equals(id)) {
            round = null;
        }
    }

    /** The sessions whose token {@code text} carries. */
    Set<Session> owners(String text) {
        Round r = round;
        Set<Session> found = new LinkedHashSet<>();
        if (r == null) {
            return found;
        }
        String marker = "-" + r.id();
        for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length())) {
            int digits = at;
            while (digits > 0 && Character.isDigit(text.charAt(digits - 1))) {
                digits--;
            }
            if (digits < at && digits > 0 && text.charAt(digits - 1) == 's') {
                Session owner = r.byToken().get(text.substring(digits - 1, at + marker.length()));
                if (owner != null) {
                    found.add(owner);
                }
            }
        }
        return found;
    }

    /** A frame on the heartbeat's connection carrying a probe session's token: that session's reply went astray. */
    void heartbeatReceived(String frame) {
        for (Session owner : owners(frame)) {
            owner.leakedTo("Guardian's heartbeat connection", frame);
        }
    }
}
