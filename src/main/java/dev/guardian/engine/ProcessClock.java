package dev.guardian.engine;

import java.lang.management.ManagementFactory;
import java.time.Instant;

/**
 * When this process started, to the millisecond, so that the startup budget counts from there and not from when
 * Guardian got to wiring its checks. (The process table's start time is rounded to whole seconds.)
 */
final class ProcessClock {
    private static final Instant START = startTime();

    private ProcessClock() {
    }

    static Instant start() {
        return START;
    }

    private static Instant startTime() {
        try {
            long millis = ManagementFactory.getRuntimeMXBean().getStartTime();
            return millis > 0 ? Instant.ofEpochMilli(millis) : Instant.now();
        } catch (RuntimeException unavailable) {
            return Instant.now();
        }
    }
}
