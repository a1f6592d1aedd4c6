package dev.guardian.adapters.health;

import dev.guardian.engine.Engine;
import dev.guardian.engine.Verdict;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;

/**
 * One verdict per health request. SmallRye Health asks each entry of {@code /q/health} for its answer in turn, and an
 * attempt finishing in between would make one document contradict itself: READY "all checks passing" beside a check
 * entry still DOWN from the attempt before (seen in a test). Every request runs on a duplicated Vert.x context of its
 * own, so the first entry to ask keeps the verdict there and the others of the same request read that one.
 */
final class RequestVerdict {
    private static final String KEY = "guardian.verdict";

    private RequestVerdict() {
    }

    static Verdict of(Engine engine) {
        if (!VertxContext.isOnDuplicatedContext()) {
            return engine.verdict();
        }
        Verdict pinned = ContextLocals.get(KEY, null);
        if (pinned == null) {
            pinned = engine.verdict();
            ContextLocals.put(KEY, pinned);
        }
        return pinned;
    }
}
