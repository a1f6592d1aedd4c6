package dev.guardian.adapters.logs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.guardian.engine.EngineListener;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;

/**
 * One log line per state transition, with the reason: the line an SRE greps for. In JSON logs the new state, the
 * previous one and the failing checks are also fields (MDC). Lines are written in order from one thread of their
 * own: MDC set on an event loop does not reach the formatter.
 */
@Singleton
public class TransitionLog implements EngineListener {
    private static final Logger LOG = Logger.getLogger("dev.guardian.state");
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "guardian-transition-log");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void transitioned(State from, State to, Verdict verdict) {
        String line = String.format("state %s -> %s after %d ms: %s", from, to, verdict.elapsed().toMillis(),
                verdict.reason());
        String failing = String.join(",", verdict.checks().stream().filter(c -> !c.healthy())
                .map(c -> c.name()).toList());
        writer.execute(() -> write(from, to, failing, line));
    }

    /** Waits (briefly) until every line so far is written: before an exit. */
    public void flush() {
        try {
            writer.submit(() -> {
            }).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: never hold an exit for a log line
        }
    }

    private static void write(State from, State to, String failing, String line) {
        MDC.put("state", to.name());
        MDC.put("previous_state", from.name());
        if (!failing.isEmpty()) {
            MDC.put("check", failing);
        }
        try {
            if (to == State.READY || to == State.DRAINING) {
                LOG.info(line);
            } else if (to == State.FAILED) {
                LOG.error(line);
            } else {
                LOG.warn(line);
            }
        } finally {
            MDC.clear();
        }
    }
}
