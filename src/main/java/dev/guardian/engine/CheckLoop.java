package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

/**
 * Runs one check until stopped, one attempt at a time: each attempt bounded by the timeout; while failing (or not yet
 * past the success threshold) retried with exponential backoff and jitter, counted from the last success; once
 * healthy, repeated every interval with jitter. Stopping cancels the attempt in flight.
 */
final class CheckLoop {
    private final CheckSpec spec;
    private final StateMachine machine;
    private final Secrets secrets;
    private final Vertx vertx;
    /** Failed attempts since the last successful one: the backoff's exponent. */
    private int consecutiveFailures;
    private Cancellable inFlight;
    private long timer = -1;
    private boolean stopped;

    CheckLoop(CheckSpec spec, StateMachine machine, Secrets secrets, Vertx vertx) {
        this.spec = spec;
        this.machine = machine;
        this.secrets = secrets;
        this.vertx = vertx;
    }

    synchronized void start() {
        timer = vertx.setTimer(1, id -> attempt());
    }

    /** Tells the check to go away, then cancels what is in flight; no attempt starts afterwards. */
    void stop() {
        Cancellable running;
        synchronized (this) {
            stopped = true;
            vertx.cancelTimer(timer);
            running = inFlight;
        }
        spec.check().close();
        if (running != null) {
            running.cancel();
        }
    }

    private void attempt() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        Instant at = Instant.now();
        long start = System.nanoTime();
        Duration timeout = spec.timing().timeout();
        Uni<Map<String, Object>> attempt;
        try {
            attempt = spec.check().attempt();
        } catch (RuntimeException e) {
            attempt = Uni.createFrom().failure(e);
        }
        Cancellable running = attempt.ifNoItem().after(timeout).failWith(() -> new AttemptTimeout(timeout))
                .subscribe().with(details -> finished(at, start, details, null),
                        failure -> finished(at, start, Map.of(), failure));
        synchronized (this) {
            inFlight = running; // already finished when the attempt completed synchronously: cancelling it is a no-op
            if (stopped) {
                running.cancel();
            }
        }
    }

    private void finished(Instant at, long start, Map<String, Object> details, Throwable failure) {
        long took = System.nanoTime() - start;
        Attempt attempt = failure == null
                ? new Attempt(spec.name(), at, took, null, false, scrubbed(details))
                : new Attempt(spec.name(), at, took, secrets.scrub(reason(failure)), failure instanceof AttemptTimeout,
                        scrubbed(failure instanceof CheckFailure cf ? cf.details() : Map.of()));
        boolean settled = machine.record(attempt);
        synchronized (this) {
            inFlight = null;
            if (stopped) {
                return;
            }
            consecutiveFailures = attempt.ok() ? 0 : consecutiveFailures + 1;
            double random = ThreadLocalRandom.current().nextDouble();
            Duration next = settled ? spec.timing().jittered(spec.timing().interval(), random)
                    : spec.timing().backoff().delay(consecutiveFailures, random);
            timer = vertx.setTimer(Math.max(1, next.toMillis()), id -> attempt());
        }
    }

    private static String reason(Throwable failure) {
        return failure instanceof CheckFailure ? failure.getMessage() : Failures.describe(failure);
    }

    /** Details can quote what a server sent (a frame echoing a token): text passes the scrubber too. */
    private Map<String, Object> scrubbed(Map<String, Object> details) {
        Map<String, Object> out = new LinkedHashMap<>();
        details.forEach((k, v) -> out.put(k, v instanceof String text ? secrets.scrub(text) : v));
        return out;
    }

    static final class AttemptTimeout extends CheckFailure {
        AttemptTimeout(Duration timeout) {
            super("no answer within " + timeout.toMillis() + " ms (attempt timeout)");
        }
    }
}
