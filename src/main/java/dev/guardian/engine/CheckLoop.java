package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import dev.guardian.config.CheckTiming;
import dev.guardian.config.Secrets;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Runs one check for ever: attempts bounded by the timeout; while failing (or not yet past the success threshold)
 * retried with exponential backoff and jitter; once healthy, repeated every interval with jitter. Cancelling the
 * loop cancels the attempt in flight.
 */
public final class CheckLoop {
    private static final Logger LOG = Logger.getLogger(CheckLoop.class);

    /** Signals "try again soon" to Mutiny's retry; never leaves this class. */
    private static final RuntimeException RETRY = new RuntimeException("retry", null, false, false) {
    };

    private final Check check;
    private final CheckTiming timing;
    private final ReadinessEngine engine;
    private final Secrets secrets;

    public CheckLoop(Check check, CheckTiming timing, ReadinessEngine engine, Secrets secrets) {
        this.check = check;
        this.timing = timing;
        this.engine = engine;
        this.secrets = secrets;
    }

    public Cancellable start() {
        Uni<Void> untilHealthy = Uni.createFrom().deferred(this::attemptAndRecord)
                .onFailure().retry().withBackOff(timing.retryInterval(), timing.retryMaxInterval())
                .withJitter(timing.jitter()).indefinitely();
        Uni<Void> cycle = untilHealthy
                .chain(() -> Uni.createFrom().voidItem().onItem().delayIt().by(jittered(timing.interval())));
        return Multi.createBy().repeating().uni(() -> cycle).indefinitely()
                .subscribe().with(ignored -> {
                }, failure -> LOG.errorf("check loop %s stopped: %s", check.name(), failure));
    }

    /** One attempt, recorded; fails (to trigger a quick retry) unless the check is now healthy. */
    private Uni<Void> attemptAndRecord() {
        Instant at = Instant.now();
        long start = System.nanoTime();
        return check.attempt()
                .ifNoItem().after(timing.timeout()).failWith(() -> new AttemptTimeout(timing.timeout()))
                .onItemOrFailure().transformToUni((details, failure) -> {
                    Attempt attempt = failure == null
                            ? new Attempt(check.name(), at, System.nanoTime() - start, null, false, scrubbed(details))
                            : new Attempt(check.name(), at, System.nanoTime() - start, reason(failure),
                                    failure instanceof AttemptTimeout, scrubbed(failureDetails(failure)));
                    boolean settled = engine.record(attempt);
                    return settled ? Uni.createFrom().voidItem() : Uni.createFrom().failure(RETRY);
                });
    }

    private String reason(Throwable failure) {
        String text = failure instanceof CheckFailure ? failure.getMessage() : Failures.describe(failure);
        return secrets.scrub(text);
    }

    /** Details can quote what a server sent (a frame echoing a token): text passes the scrubber too. */
    private Map<String, Object> scrubbed(Map<String, Object> details) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        details.forEach((k, v) -> out.put(k, v instanceof String text ? secrets.scrub(text) : v));
        return out;
    }

    private static Map<String, Object> failureDetails(Throwable failure) {
        return failure instanceof CheckFailure cf ? cf.details() : Map.of();
    }

    private Duration jittered(Duration base) {
        double spread = timing.jitter() * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
        return Duration.ofNanos(Math.max(0, Math.round(base.toNanos() * (1 + spread))));
    }

    static final class AttemptTimeout extends CheckFailure {
        AttemptTimeout(Duration timeout) {
            super("no answer within " + timeout.toMillis() + " ms (attempt timeout)");
        }
    }
}
