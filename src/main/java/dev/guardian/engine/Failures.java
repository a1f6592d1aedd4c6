package dev.guardian.engine;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

import javax.net.ssl.SSLException;

/** Plain words for the network failures every check shares. Checks add what only they can tell. */
public final class Failures {
    private Failures() {
    }

    public static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof ConnectException)) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof ConnectException || message.contains("Connection refused")) {
            return message.contains("refused") ? "connection refused" : "cannot connect: " + message;
        }
        if (t instanceof UnknownHostException) {
            return "unknown host: " + message;
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (t instanceof SSLException) {
            return "TLS handshake failed: " + message;
        }
        if (t instanceof ClosedChannelException || message.contains("Connection reset")
                || message.contains("closed")) {
            return "connection closed by the server" + (message.isEmpty() ? "" : " (" + message + ")");
        }
        return message.isEmpty() ? t.getClass().getSimpleName() : message;
    }
}
