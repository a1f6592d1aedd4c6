package dev.guardian.adapters.wait;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.Engine;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;
import io.quarkus.runtime.QuarkusApplication;
import io.smallrye.health.SmallRyeHealthReporter;

/**
 * {@code guardian wait}: runs every configured check until all that gate startup pass or the budget runs out, then
 * exits: 0 when ready, 3 when the budget ran out (1, before anything runs, for invalid configuration). The health
 * JSON (as {@code /q/health} answers it) goes to standard output, a short summary for people to standard error. No
 * port is opened: for init containers, CI steps and test fixtures.
 */
public class WaitMode implements QuarkusApplication {
    public static final int READY = 0;
    public static final int BUDGET_RAN_OUT = 3;

    @Inject
    Engine engine;
    @Inject
    SmallRyeHealthReporter health;

    /** Settings for a run without ports, logs on standard error: applied before Quarkus starts. */
    public static void prepare() {
        System.setProperty("quarkus.http.host-enabled", "false"); // and Guardian's management listener with it
        System.setProperty("quarkus.log.console.stderr", "true");
        System.setProperty("quarkus.shutdown.delay", "0s");
        // One verdict, no traffic: an edge configured for the long-running container does not listen here.
        System.setProperty("guardian.edge.enabled", "false");
    }

    @Override
    public int run(String... args) {
        Verdict verdict = settled().join();
        health.reportHealth(System.out, health.getHealth());
        System.out.println();
        System.out.flush();
        summary(verdict, new PrintStream(System.err, true, StandardCharsets.UTF_8));
        return verdict.state() == State.READY ? READY : BUDGET_RAN_OUT;
    }

    /** Completes with the first verdict that is READY or FAILED. */
    private CompletableFuture<Verdict> settled() {
        CompletableFuture<Verdict> done = new CompletableFuture<>();
        engine.addListener(new EngineListener() {
            @Override
            public void transitioned(State from, State to, Verdict verdict) {
                if (to == State.READY || to == State.FAILED) {
                    done.complete(verdict);
                }
            }
        });
        Verdict now = engine.verdict();
        if (now.state() == State.READY || now.state() == State.FAILED) {
            done.complete(now);
        }
        return done;
    }

    private static void summary(Verdict v, PrintStream out) {
        out.printf(Locale.ROOT, "guardian wait: %s after %d ms%n", v.state(), v.elapsed().toMillis());
        for (CheckSnapshot s : v.checks()) {
            String latency = s.attempted() ? String.format(Locale.ROOT, "%.1f ms", s.lastLatencyMicros() / 1000.0) : "-";
            String outcome = s.healthy() ? "passed" : s.attempted() ? "failing" : "no answer yet";
            out.printf(Locale.ROOT, "  %-12s %-13s %-10s %s%s%n", s.name(), outcome, latency, s.target(),
                    s.healthy() || s.lastError() == null ? "" : ": " + s.lastError());
        }
        if (v.state() != State.READY) {
            out.println("  " + v.reason());
        }
    }
}
