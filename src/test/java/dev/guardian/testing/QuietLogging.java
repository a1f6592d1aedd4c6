package dev.guardian.testing;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * For the benchmark's own processes (no Quarkus in them): the test classpath carries Quarkus' bootstrap logging,
 * which, until Quarkus configures it, keeps every record at every level (Netty's trace included) in memory. Guardian
 * itself runs with Quarkus' configured logging; this gives a plain process the same: INFO and above to the console.
 */
public final class QuietLogging {
    private QuietLogging() {
    }

    public static void apply() {
        // The JBoss log manager (what slf4j and JBoss Logging write to here), and the JDK's own.
        quiet(org.jboss.logmanager.LogContext.getLogContext().getLogger(""));
        quiet(Logger.getLogger(""));
    }

    private static void quiet(Logger root) {
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.setLevel(Level.INFO);
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.INFO);
        root.addHandler(console);
    }
}
