package dev.guardian.edge;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.awaitility.Awaitility;

/** Waits for a figure to stop moving: a flood at rest once every paused leg's buffers are full. */
final class Steady {
    private Steady() {
    }

    /** Waits until {@code value} has not changed for {@code during} (polled every tenth of it), at most 60 s. */
    static void await(String what, LongSupplier value, Duration during) {
        long[] last = { -1 };
        Awaitility.await(what + " stop growing").atMost(Duration.ofSeconds(60)).during(during)
                .pollInterval(during.dividedBy(10)).until(() -> {
                    long now = value.getAsLong();
                    boolean still = now == last[0];
                    last[0] = now;
                    return still;
                });
    }
}
