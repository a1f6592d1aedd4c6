package dev.guardian.testing;

import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Probes Guardian on fresh connections, as the platform would, throughout a measured window: each probe must be
 * answered within a sanity bound, liveness with 200. Records every miss instead of stopping at the first, so a
 * failure says how bad it was.
 */
public final class ProbeWindow {
    public record Result(int probes, List<String> misses, long slowestMillis, boolean exited) {
        public boolean clean() {
            return misses.isEmpty() && !exited;
        }

        @Override
        public String toString() {
            return probes + " probes, " + misses.size() + " missed" + (misses.isEmpty() ? "" : " (first: "
                    + misses.get(0) + ")") + ", slowest " + slowestMillis + " ms" + (exited ? ", Guardian EXITED" : "");
        }
    }

    private ProbeWindow() {
    }

    /**
     * Probes {@code paths} in turn every {@code spacing} for {@code window}; {@code meanwhile} runs after each probe
     * (to sample something else in the same window).
     */
    public static Result run(GuardianProcess g, Duration window, Duration bound, Duration spacing,
            Consumer<Health> meanwhile, String... paths) {
        List<String> misses = new ArrayList<>();
        long[] slowest = { 0 };
        int[] probes = { 0 };
        boolean[] exited = { false };
        long end = System.nanoTime() + window.toNanos();
        await("probing for " + window).atMost(window.plus(bound).plus(Duration.ofSeconds(30)))
                .pollInterval(spacing).until(() -> {
                    String path = paths[probes[0] % paths.length];
                    probes[0]++;
                    long start = System.nanoTime();
                    Health answer = null;
                    try {
                        answer = g.get(path, bound);
                        if (path.endsWith("/live") && answer.code() != 200) {
                            misses.add(path + " answered " + answer.code());
                        }
                    } catch (UncheckedIOException e) {
                        misses.add(path + ": " + e.getCause());
                    }
                    slowest[0] = Math.max(slowest[0], (System.nanoTime() - start) / 1_000_000);
                    if (!g.process().isAlive()) {
                        exited[0] = true;
                        return true;
                    }
                    if (answer != null && meanwhile != null) {
                        meanwhile.accept(answer);
                    }
                    return System.nanoTime() >= end;
                });
        return new Result(probes[0], misses, slowest[0], exited[0]);
    }

    public static Result run(GuardianProcess g, Duration window, Duration bound, String... paths) {
        return run(g, window, bound, Duration.ofMillis(200), null, paths);
    }
}
