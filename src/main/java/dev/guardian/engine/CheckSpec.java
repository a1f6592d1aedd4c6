package dev.guardian.engine;

/**
 * A check as the engine schedules it: a unique {@code name} (JSON, metrics, reasons), its {@code kind} (postgres,
 * redis, ...), where it goes with credentials masked ({@code target}), its role and timing.
 */
public record CheckSpec(String name, String kind, String target, Role role, Timing timing, Check check) {
}
