package dev.guardian.adapters;

import org.jboss.logging.Logger;

import dev.guardian.engine.EngineListener;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;

/** One log line per state transition, with the reason: the line an SRE greps for. */
final class TransitionLog implements EngineListener {
    private static final Logger LOG = Logger.getLogger("dev.guardian.state");

    @Override
    public void transitioned(State from, State to, Verdict verdict) {
        String line = String.format("state %s -> %s after %d ms: %s", from, to, verdict.elapsed().toMillis(),
                verdict.reason());
        if (to == State.READY || to == State.DRAINING) {
            LOG.info(line);
        } else if (to == State.FAILED) {
            LOG.error(line);
        } else {
            LOG.warn(line);
        }
    }
}
