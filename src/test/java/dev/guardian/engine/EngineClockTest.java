package dev.guardian.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The engine's budget and watchdog keep time when the checks' event loop does not. The checks run on a Vert.x with
 * one event loop, as in Guardian; a task that waits on a latch holds that loop, as a peer's work or a blocking call
 * would. (A real peer can hold it too: {@code StalledLoopIT} does it with a Postgres that asks for 2^31 SCRAM
 * iterations.)
 */
class EngineClockTest {
    private static final Timing TIMING = new Timing(Duration.ofMillis(200), Duration.ofMillis(100),
            Duration.ofMillis(50), Duration.ofMillis(100), 1, 1, 0);
    private static final Pattern STALLED = Pattern.compile(
            "scripted \\(script\\): no attempt finished for (\\d+) ms: the check's loop has stalled");

    private final Vertx checksVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1)
            .setMaxEventLoopExecuteTime(1).setMaxEventLoopExecuteTimeUnit(TimeUnit.MINUTES));
    private final CountDownLatch release = new CountDownLatch(1);
    private final Engine engine = new Engine();

    @AfterEach
    void close() {
        release.countDown();
        engine.drain();
        checksVertx.close();
    }

    private static CheckSpec passing() {
        return new CheckSpec("scripted", "test", "script", Role.REQUIRED, TIMING,
                () -> Uni.createFrom().item(Map.of()));
    }

    /** Holds the checks' only event loop until {@link #release}; returns once the loop is held. */
    private void holdTheChecksLoop() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        checksVertx.runOnContext(v -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(5, TimeUnit.SECONDS), "the checks' loop ran the holding task");
    }

    @Test
    void aCheckWhoseLoopIsHeldTurnsDownWithTheReason() throws InterruptedException {
        engine.start(new Engine.Settings(Duration.ofHours(1), true, Map.of()), List.of(passing()), checksVertx,
                new Secrets());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.verdict().state() == State.READY);

        holdTheChecksLoop();
        long heldAt = System.nanoTime();
        Duration staleAfter = TIMING.staleAfter();
        await("NOT_READY while the checks' loop is held").atMost(staleAfter.plusSeconds(5))
                .pollInterval(Duration.ofMillis(20)).until(() -> engine.verdict().state() == State.NOT_READY);
        long tookMillis = (System.nanoTime() - heldAt) / 1_000_000;
        String reason = engine.verdict().reason();
        System.out.println("held loop: NOT_READY " + tookMillis + " ms after the loop was held (stale after "
                + staleAfter.toMillis() + " ms): " + reason);
        Matcher m = STALLED.matcher(reason);
        assertTrue(m.find(), reason);
        assertTrue(Long.parseLong(m.group(1)) > staleAfter.toMillis(), reason);
        assertEquals(1, release.getCount(), "the loop was still held when the verdict turned");

        release.countDown();
        await("READY once the loop runs again").atMost(Duration.ofSeconds(10))
                .until(() -> engine.verdict().state() == State.READY);
    }

    @Test
    void theBudgetRunsOutOnTimeWhileTheChecksLoopIsHeld() throws InterruptedException {
        holdTheChecksLoop();
        // The budget counts from the process start, as in Guardian: a second and a half from now.
        Duration budget = Duration.between(ProcessClock.start(), Instant.now()).plusMillis(1_500);
        Instant due = ProcessClock.start().plus(budget);
        engine.start(new Engine.Settings(budget, true, Map.of()), List.of(passing()), checksVertx, new Secrets());

        await("FAILED while the checks' loop is held").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> engine.verdict().state() == State.FAILED);
        Verdict v = engine.verdict();
        long lateMillis = Duration.between(due, v.since()).toMillis();
        System.out.println("held loop: FAILED " + lateMillis + " ms after the budget was due: " + v.reason());
        assertTrue(lateMillis >= 0, "FAILED " + -lateMillis + " ms before the budget ran out");
        assertTrue(lateMillis < 1_000, "FAILED " + lateMillis + " ms after the budget ran out");
        assertTrue(v.reason().startsWith("startup budget of " + budget.toMillis() + " ms ran out; unmet: scripted "
                + "(script): no attempt finished yet"), v.reason());
        assertEquals(1, release.getCount(), "the loop was still held when the budget ran out");
    }
}
