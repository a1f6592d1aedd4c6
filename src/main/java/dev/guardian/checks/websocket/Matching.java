package dev.guardian.checks.websocket;

import java.util.List;
import java.util.function.Function;

import dev.guardian.engine.CheckFailure;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Where frames are matched against the script: on one worker thread of the checks' own Vert.x, never on an event
 * loop, each match with a budget of character reads. A frame of a megabyte parsed as JSON, or a pattern that
 * backtracks, can neither stall the event loops nor hold the worker for long.
 */
final class Matching {
    /** How a frame relates to the expected sequence at {@code position}. */
    enum Outcome {
        /** The element expected next. */
        MATCH,
        /** A later element of the sequence: out of order. */
        LATER,
        /** Nothing of the sequence: an unexpected frame. */
        NONE
    }

    private final WorkerExecutor worker;

    Matching(Vertx vertx) {
        this.worker = vertx.createSharedWorkerExecutor("guardian-matching", 1);
    }

    /** @param label the step, for the reason when the budget runs out */
    Uni<Outcome> classify(List<Script.Matcher> sequence, int position, String frame, Function<String, String> substitute,
            String label) {
        return UniHelper.toUni(worker.<Outcome> executeBlocking(() -> {
            try {
                if (sequence.get(position).matches(frame, substitute)) {
                    return Outcome.MATCH;
                }
                for (int later = position + 1; later < sequence.size(); later++) {
                    if (sequence.get(later).matches(frame, substitute)) {
                        return Outcome.LATER;
                    }
                }
                return Outcome.NONE;
            } catch (BudgetedText.Exhausted e) {
                throw new CheckFailure(label + ": matching gave up on a " + frame.length() + "-character frame after "
                        + BudgetedText.READS + " character reads; anchor the pattern or make it more specific");
            }
        }, false));
    }
}
