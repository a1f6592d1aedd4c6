package dev.guardian.adapters.logs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.ExtLogRecord;

import dev.guardian.engine.Secrets;
import io.quarkus.arc.Arc;
import io.quarkus.logging.LoggingFilter;

/**
 * Every log record on its way out, Guardian's or a library's (Vert.x, Netty, Quarkus):
 * <ul>
 * <li>passes the secret scrubber: a driver that echoes a connection string, or a client that logs the URL it timed
 * out on, cannot leak a password or a token. The message is formatted first, so secrets in parameters are caught
 * too, and a stack trace is folded into the message, scrubbed, instead of being printed as it came;</li>
 * <li>in JSON logs, carries Cloud Logging's severity names (WARNING, CRITICAL), which its log explorer filters on,
 * rather than JBoss Logging's (WARN, FATAL).</li>
 * </ul>
 */
@LoggingFilter(name = "guardian-outgoing")
public final class OutgoingRecords implements Filter {
    private static final Level WARNING = Level.WARNING;
    private static final Level CRITICAL = new Severity("CRITICAL", 1100);
    private static final Level DEBUG = new Severity("DEBUG", 400);

    private volatile Boolean json;

    /** A level named as Cloud Logging names it. */
    private static final class Severity extends Level {
        Severity(String name, int value) {
            super(name, value);
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!(record instanceof ExtLogRecord ext)) {
            return true;
        }
        scrub(ext);
        if (json()) {
            String level = ext.getLevel().getName();
            switch (level) {
                case "WARN" -> ext.setLevel(WARNING);
                case "FATAL" -> ext.setLevel(CRITICAL);
                case "TRACE" -> ext.setLevel(DEBUG);
                default -> {
                    // INFO, ERROR and DEBUG are Cloud Logging's names already
                }
            }
        }
        return true;
    }

    private static void scrub(ExtLogRecord ext) {
        Secrets secrets = secrets();
        if (secrets == null) {
            return;
        }
        String message = ext.getFormattedMessage();
        if (ext.getThrown() != null) {
            StringWriter trace = new StringWriter();
            ext.getThrown().printStackTrace(new PrintWriter(trace));
            message = message + "\n" + trace;
            ext.setThrown(null);
        }
        ext.setMessage(secrets.scrub(message), ExtLogRecord.FormatStyle.NO_FORMAT);
        ext.setParameters(null);
    }

    private boolean json() {
        Boolean j = json;
        if (j == null) {
            j = ConfigProvider.getConfig().getOptionalValue("quarkus.log.console.json.enabled", Boolean.class)
                    .orElse(false);
            json = j;
        }
        return j;
    }

    /** The scrubber, once the container runs; before that no secret has been read. */
    private static Secrets secrets() {
        var container = Arc.container();
        return container == null || !container.isRunning() ? null : container.instance(Secrets.class).get();
    }
}
