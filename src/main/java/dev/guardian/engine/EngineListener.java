package dev.guardian.engine;

/**
 * How adapters (health entries, metrics, logs) follow the engine without the engine knowing them. Called in order,
 * under the engine's lock: keep it quick.
 */
public interface EngineListener {

    /** The checks are known and about to run; {@code first} lists them. */
    default void started(Verdict first) {
    }

    default void attempted(Attempt attempt, CheckSnapshot after) {
    }

    default void transitioned(State from, State to, Verdict verdict) {
    }
}
