package dev.guardian.adapters.logs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;

import dev.guardian.engine.Secrets;
import io.quarkus.arc.Arc;
import io.quarkus.logging.LoggingFilter;

/**
 * Every log record, Guardian's or a library's (Vert.x, Netty, Quarkus), passes the secret scrubber before it is
 * written: a driver that echoes a connection string, or a client that logs the URL it timed out on, cannot leak a
 * password or a token. The message is formatted first, so secrets in parameters are caught too, and a stack trace
 * is folded into the message, scrubbed, instead of being printed as it came.
 */
@LoggingFilter(name = "guardian-secrets")
public final class ScrubbingFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        Secrets secrets = secrets();
        if (secrets == null || !(record instanceof ExtLogRecord ext)) {
            return true;
        }
        String message = ext.getFormattedMessage();
        if (ext.getThrown() != null) {
            StringWriter trace = new StringWriter();
            ext.getThrown().printStackTrace(new PrintWriter(trace));
            message = message + "\n" + trace;
            ext.setThrown(null);
        }
        String scrubbed = secrets.scrub(message);
        ext.setMessage(scrubbed, ExtLogRecord.FormatStyle.NO_FORMAT);
        ext.setParameters(null);
        return true;
    }

    /** The scrubber, once the container runs; before that no secret has been read. */
    private static Secrets secrets() {
        var container = Arc.container();
        return container == null || !container.isRunning() ? null : container.instance(Secrets.class).get();
    }
}
