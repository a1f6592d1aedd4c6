package dev.guardian.engine;

/** The instance's verdict on whether it is safe to receive traffic. */
public enum State {
    /** Checks running, not all passed yet, budget not yet spent. */
    STARTING,
    /** Every check passes. */
    READY,
    /** Was READY; a check failed past its failure threshold. */
    NOT_READY,
    /** The startup budget ran out before every check passed. Terminal: the startup probe stays DOWN. */
    FAILED,
    /** SIGTERM received: readiness DOWN while connections close. */
    DRAINING
}
