package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.ChatBackend.Mode;
import dev.guardian.testing.Exec;
import dev.guardian.testing.FaultProxy;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.ImageDefinition;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.ProbeWindow;
import dev.guardian.testing.ProcStats;
import dev.guardian.testing.RedisServer;

/**
 * Minutes of misbehaving peers in turn (frozen, black-holed, flapping, flooding), each followed by recovery to
 * READY, twice over: Guardian tells the truth throughout, keeps answering its probes, and ends the second round
 * holding what it held after the first (threads, open files, sockets, resident memory). Guardian runs as deployed,
 * with the JVM flags of the image ({@code Dockerfile.jvm}: serial GC, 48 MB heap, C1 only, 24 MB code cache, 64 MB
 * metaspace, one Netty arena), so that every pool the JVM keeps is bounded and resident memory that still grows is a
 * leak, not a JIT or a collector warming up. The first round brings those pools to the size these peers need; a leak
 * would grow them again in the second. The length comes from {@code -Dguardian.soak.seconds} (default 150) so that
 * CI can run it short; each phase gets its share.
 */
class AdverseSoakIT {
    static final Duration TOTAL = Duration.ofSeconds(Long.getLong("guardian.soak.seconds", 150));
    static final Duration PROBE_BOUND = Duration.ofSeconds(1);
    static final Duration RECOVERY = Duration.ofSeconds(60);
    /**
     * {@code -Dguardian.soak.nmt=true}: also track the JVM's native memory and print what each of its areas grew by
     * from the end of the first round to the end of the second (for a growing RSS: heap, metaspace, code, threads,
     * Netty's direct buffers under "Other"...). Off by default: tracking costs memory of its own.
     */
    static final boolean NATIVE_MEMORY = Boolean.getBoolean("guardian.soak.nmt");

    private final List<String> phases = new ArrayList<>();
    private final List<String> misses = new ArrayList<>();

    /**
     * Twentieths of the total, ten per round: 2 each for the two freezes, the black hole and the flapping, 1 for the
     * flood, 1 to settle.
     */
    private static Duration share(int twentieths) {
        return TOTAL.multipliedBy(twentieths).dividedBy(20);
    }

    @Test
    void frozenBlackHoledFlappingAndFloodingPeersLeaveNothingBehind() {
        try (PostgresServer pg = PostgresServer.started(); RedisServer redis = RedisServer.started();
                ChatBackend backend = new ChatBackend(); FaultProxy proxy = new FaultProxy(backend.port());
                GuardianProcess g = GuardianProcess.with(
                        "GUARDIAN_POSTGRES_URL", pg.url(PostgresServer.ADMIN, PostgresServer.ADMIN_PASSWORD, "postgres"),
                        "GUARDIAN_POSTGRES_TIMEOUT", "1s", "GUARDIAN_POSTGRES_INTERVAL", "200ms",
                        "GUARDIAN_REDIS_URL", redis.url(), "GUARDIAN_REDIS_TIMEOUT", "1s",
                        "GUARDIAN_REDIS_INTERVAL", "200ms",
                        "GUARDIAN_BACKEND_URL", "ws://127.0.0.1:" + proxy.port() + "/ws",
                        "GUARDIAN_BACKEND_SCRIPT", WebSocketGateIT.AGENT_SCRIPT, "GUARDIAN_BACKEND_INTERVAL", "300ms",
                        "GUARDIAN_BACKEND_STEP_TIMEOUT", "1s",
                        "GUARDIAN_HEARTBEAT_INTERVAL", "300ms", "GUARDIAN_HEARTBEAT_PONG_TIMEOUT", "500ms",
                        "GUARDIAN_STARTUP_BUDGET", "60s")
                        .jvm(deployedFlags()).start().awaitListening()) {
            g.awaitState("READY", RECOVERY);
            Supplier<Samples> round = () -> {
                phase(g, "postgres frozen", () -> fault(g, "postgres frozen", share(2), pg::freeze, pg::resume));
                phase(g, "redis frozen", () -> fault(g, "redis frozen", share(2), redis::freeze, redis::resume));
                phase(g, "black-holed", () -> fault(g, "backend path black-holed", share(2), proxy::freeze,
                        proxy::thaw));
                phase(g, "flapping", () -> flapping(g, share(2), backend, redis));
                phase(g, "flooding", () -> fault(g, "backend flooding", share(1),
                        () -> backend.mode(Mode.STREAM_FRAMES), () -> backend.mode(Mode.HEALTHY)));
                Samples settled = new Samples(g.pid());
                phase(g, "settling", () -> steady(g, "settling", share(1), settled));
                return settled;
            };
            Samples before = round.get();
            nativeMemory(g, "baseline");
            Samples after = round.get();
            String grew = nativeMemory(g, "summary.diff");

            String figures = "after the first round: " + before + "; after the second: " + after
                    + "; phases: " + phases;
            System.out.println("adverse soak over " + TOTAL + ", " + g.describe() + ": " + figures + grew);
            assertTrue(misses.isEmpty(), "probes missed: " + misses + "; " + figures);
            // Counts at their highest while settling, memory at its floor: a leak raises both, a collection that
            // happens to fall in one round's samples and not the other's moves neither.
            assertTrue(after.most(ProcStats::threads) <= before.most(ProcStats::threads) + 2, "threads (at most +2); "
                    + figures);
            assertTrue(after.most(ProcStats::fds) <= before.most(ProcStats::fds) + 10, "open files (at most +10); "
                    + figures);
            assertTrue(after.most(ProcStats::sockets) <= before.most(ProcStats::sockets) + 5, "sockets (at most +5); "
                    + figures);
            assertTrue(after.least(ProcStats::rssKb) <= before.least(ProcStats::rssKb) * 11 / 10, "VmRSS (lowest "
                    + "sample at most +10 %); " + figures);
        }
    }

    /**
     * The image's JVM flags (none for a native executable), with native memory tracking when asked for, and the heap
     * made resident at start ({@code -XX:+AlwaysPreTouch}, a measuring aid): otherwise heap pages the collector
     * touches for the first time in the second round raise the RSS with no leak behind it (133 to 153 MB in one run).
     */
    private static String[] deployedFlags() {
        List<String> flags = new ArrayList<>(ImageDefinition.forTheRun().jvmOptions());
        flags.add("-XX:+AlwaysPreTouch");
        if (NATIVE_MEMORY) {
            flags.add("-XX:NativeMemoryTracking=summary");
        }
        return flags.toArray(String[]::new);
    }

    /** jcmd VM.native_memory {@code what} when tracking is on; otherwise nothing. */
    private static String nativeMemory(GuardianProcess g, String what) {
        if (!NATIVE_MEMORY || GuardianProcess.nativeBinary()) {
            return "";
        }
        return "\n" + Exec.run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(g.pid()), "VM.native_memory", what);
    }

    /** What Guardian held at each probe of a settling window. */
    private static final class Samples {
        private final long pid;
        private final List<ProcStats> taken = new ArrayList<>();

        Samples(long pid) {
            this.pid = pid;
        }

        void take() {
            taken.add(ProcStats.of(pid));
        }

        long most(ToLongFunction<ProcStats> field) {
            return taken.stream().mapToLong(field).max().orElseThrow();
        }

        long least(ToLongFunction<ProcStats> field) {
            return taken.stream().mapToLong(field).min().orElseThrow();
        }

        @Override
        public String toString() {
            return taken.size() + " samples: threads at most " + most(ProcStats::threads) + ", fds at most "
                    + most(ProcStats::fds) + ", sockets at most " + most(ProcStats::sockets) + ", VmRSS "
                    + least(ProcStats::rssKb) / 1024 + " to " + most(ProcStats::rssKb) / 1024 + " MB";
        }
    }

    /** Runs one phase; a failure names it, the phases before it and the end of Guardian's output. */
    private void phase(GuardianProcess g, String name, Runnable phase) {
        try {
            phase.run();
        } catch (RuntimeException | AssertionError e) {
            String output = g.output();
            throw new AssertionError("phase " + name + " failed after " + phases + "; probes missed: " + misses
                    + "; Guardian " + (g.process().isAlive() ? "running" : "exited") + "; output ends:\n"
                    + output.substring(Math.max(0, output.length() - 3_000)), e);
        }
    }

    /** Probes readiness and liveness on fresh connections for the window; records every miss. */
    private ProbeWindow.Result probe(GuardianProcess g, String phase, Duration window, Runnable meanwhile,
            boolean[] sawNotReady) {
        ProbeWindow.Result r = ProbeWindow.run(g, window, PROBE_BOUND, Duration.ofMillis(250), answer -> {
            if ("NOT_READY".equals(answer.state())) {
                sawNotReady[0] = true;
            }
            if (meanwhile != null) {
                meanwhile.run();
            }
        }, "/q/health/ready", "/q/health/live");
        if (!r.clean()) {
            misses.add(phase + ": " + r);
        }
        return r;
    }

    private void steady(GuardianProcess g, String phase, Duration window, Samples samples) {
        boolean[] down = { false };
        ProbeWindow.Result r = probe(g, phase, window, samples::take, down);
        phases.add(phase + " " + window.toSeconds() + " s (" + r.probes() + " probes)");
        assertTrue(!down[0], phase + ": NOT_READY while every peer behaved");
    }

    /** Holds the fault for the window and until Guardian says NOT_READY, then reverts it and awaits READY. */
    private void fault(GuardianProcess g, String phase, Duration hold, Runnable apply, Runnable revert) {
        long start = System.nanoTime();
        boolean[] down = { false };
        apply.run();
        try {
            probe(g, phase, hold, null, down);
            if (!down[0]) {
                g.awaitState("NOT_READY", RECOVERY);
            }
        } finally {
            revert.run();
        }
        long faulted = (System.nanoTime() - start) / 1_000_000;
        g.awaitState("READY", RECOVERY);
        phases.add(phase + " " + faulted + " ms, READY " + ((System.nanoTime() - start) / 1_000_000 - faulted)
                + " ms after");
    }

    /** Every two seconds: Redis killed, the backend restarted (every connection dropped), Redis started again. */
    private void flapping(GuardianProcess g, Duration window, ChatBackend backend, RedisServer redis) {
        long start = System.nanoTime();
        long[] lastFlap = { 0 };
        int[] flaps = { 0 };
        boolean[] down = { false };
        probe(g, "flapping", window, () -> {
            if (System.nanoTime() - lastFlap[0] >= 2_000_000_000L) {
                lastFlap[0] = System.nanoTime();
                flaps[0]++;
                redis.kill();
                backend.restart();
                redis.start();
            }
        }, down);
        long faulted = (System.nanoTime() - start) / 1_000_000;
        g.awaitState("READY", RECOVERY);
        phases.add("flapping " + faulted + " ms (" + flaps[0] + " flaps), READY "
                + ((System.nanoTime() - start) / 1_000_000 - faulted) + " ms after");
    }
}
