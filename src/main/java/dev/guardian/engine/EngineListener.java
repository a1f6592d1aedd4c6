package dev.guardian.engine;

/** How adapters (metrics, logs) follow the engine without the engine knowing them. Called in order, under the engine lock: keep it quick. */
public interface EngineListener {

    default void attempted(Attempt attempt, CheckSnapshot after) {
    }

    default void transitioned(State from, State to, Verdict verdict) {
    }
}
