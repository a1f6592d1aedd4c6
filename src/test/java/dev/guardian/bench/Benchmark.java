package dev.guardian.bench;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.FaultProxy;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.RedisServer;

/**
 * Guardian's benchmark, and Quarkus' built-in checks as the baseline in the same run: probe latency under load
 * (healthy and with Postgres or Redis frozen), readiness lag, detection time, startup and memory, heartbeat
 * timing. Measures, asserts nothing. Writes bench/results.json and bench/results.md.
 */
public final class Benchmark {
    private static final String BASELINE_JAR = "bench/baseline/target/quarkus-app/quarkus-run.jar";
    /** The sidecar flags (Dockerfile.jvm): serial GC, small heap, C1 only, one Netty arena, an AppCDS archive. */
    private static final String[] TUNED = { "-XX:+UseSerialGC", "-Xmx48m", "-Xss512k", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=24m", "-XX:MaxMetaspaceSize=64m",
            "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1",
            "-XX:SharedArchiveFile=bench/work/guardian.jsa", "-Xshare:auto" };

    private final boolean quick;
    /** {@code --binary PATH}: a native executable measured beside the jar (startup and memory). */
    private final String binary;
    private final int seconds;
    private final int repeats;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final StringBuilder md = new StringBuilder();

    private Benchmark(boolean quick, String binary) {
        this.quick = quick;
        this.binary = binary;
        this.seconds = quick ? 2 : 10;
        this.repeats = quick ? 1 : 3;
    }

    public static void main(String[] args) throws Exception {
        List<String> options = Arrays.asList(args);
        int at = options.indexOf("--binary");
        new Benchmark(options.contains("--quick"), at >= 0 ? Path.of(options.get(at + 1)).toAbsolutePath().toString()
                : null).run();
    }

    private void run() throws Exception {
        Files.createDirectories(Path.of("bench/work"));
        machine();
        try (PostgresServer pg = PostgresServer.started(); RedisServer redis = RedisServer.started()) {
            probes(pg, redis);
            readinessLag();
            detection(pg);
            startup(pg, redis);
            waitMode(pg, redis);
            heartbeat();
        }
        // A quick run only shows that the benchmark works: it never replaces the committed full results.
        String stem = quick ? "bench/work/results-quick" : "bench/results";
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(stem + ".json").toFile(), json);
        Files.writeString(Path.of(stem + ".md"), md.toString());
        System.out.println(md);
    }

    private void machine() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("mode", quick ? "quick" : "full");
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " "));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("repeats", repeats);
        json.put("machine", m);
        md.append("Measured ").append(m.get("date")).append(" on ").append(m.get("cores")).append(" cores, ")
                .append(m.get("memory")).append(", ").append(m.get("jdk")).append(" (").append(m.get("mode"))
                .append(" mode; medians of ").append(repeats).append(" runs).\n\n");
    }

    private GuardianProcess guardian(PostgresServer pg, RedisServer redis, String... extra) {
        return GuardianProcess.with("GUARDIAN_POSTGRES_URL",
                pg.url(PostgresServer.ADMIN, PostgresServer.ADMIN_PASSWORD, "postgres"), "GUARDIAN_REDIS_URL",
                redis.url(), "GUARDIAN_POSTGRES_TIMEOUT", "2s", "GUARDIAN_REDIS_TIMEOUT", "2s",
                "GUARDIAN_POSTGRES_INTERVAL", "1s", "GUARDIAN_REDIS_INTERVAL", "1s").env(extra).jvm(TUNED);
    }

    private GuardianProcess baseline(PostgresServer pg, RedisServer redis) {
        return GuardianProcess.with("BASELINE_PG_URL", "postgresql://127.0.0.1:" + pg.port() + "/postgres",
                "BASELINE_PG_USER", PostgresServer.ADMIN, "BASELINE_PG_PASSWORD", PostgresServer.ADMIN_PASSWORD,
                "BASELINE_REDIS_URL", redis.url()).jar(BASELINE_JAR, "BASELINE_PORT").jvm(TUNED[0], TUNED[1]);
    }

    // ---------------------------------------------------------------- probe latency

    private void probes(PostgresServer pg, RedisServer redis) {
        md.append("### Probe latency (ms) and throughput (requests/s)\n\n")
                .append("| app | probe | condition | load | p50 | p99 | max | req/s | non-2xx |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        List<Object> rows = new ArrayList<>();
        try (GuardianProcess g = guardian(pg, redis).start().awaitListening();
                GuardianProcess b = baseline(pg, redis).start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(30));
            for (String condition : List.of("healthy", "postgres frozen", "redis frozen")) {
                Runnable freeze = condition.startsWith("postgres") ? pg::freeze
                        : condition.startsWith("redis") ? redis::freeze : () -> { };
                Runnable resume = condition.startsWith("postgres") ? pg::resume
                        : condition.startsWith("redis") ? redis::resume : () -> { };
                freeze.run();
                try {
                    for (String probe : List.of("/q/health/ready", "/q/health/started")) {
                        for (String load : List.of("1000/s", "5000/s", "saturation")) {
                            rows.add(row("guardian", probe, condition, load, g.base() + probe));
                        }
                    }
                    if (condition.equals("healthy")) {
                        for (String load : List.of("1000/s", "5000/s", "saturation")) {
                            rows.add(row("baseline", "/q/health/ready", condition, load, b.base() + "/q/health/ready"));
                        }
                    } else {
                        rows.add(single("baseline", "/q/health/ready", condition, b.base() + "/q/health/ready"));
                    }
                } finally {
                    resume.run();
                }
                g.awaitState("READY", Duration.ofSeconds(60));
            }
        }
        json.put("probe_latency", rows);
        md.append('\n');
    }

    private Map<String, Object> row(String app, String probe, String condition, String load, String url) {
        List<Load.Result> runs = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            runs.add(load.equals("saturation") ? Load.wrk(url, seconds)
                    : Load.hey(url, Integer.parseInt(load.replace("/s", "")), seconds));
        }
        Load.Result r = new Load.Result(runs.get(0).tool(), runs.get(0).targetRps(),
                median(runs, Load.Result::rps), median(runs, Load.Result::p50), median(runs, Load.Result::p99),
                median(runs, Load.Result::max), runs.get(0).requests(), runs.get(0).non2xx());
        return tableRow(app, probe, condition, load + " (" + r.tool() + ")", r);
    }

    /** Blocking checks on a frozen server: one request at a time is all the load there is to measure. */
    private Map<String, Object> single(String app, String probe, String condition, String url) {
        List<Double> times = new ArrayList<>();
        long non2xx = 0;
        for (int i = 0; i < (quick ? 1 : 3); i++) {
            long start = System.nanoTime();
            int code = GuardianProcess.status(url, Duration.ofSeconds(60));
            times.add((System.nanoTime() - start) / 1e6);
            non2xx += code / 100 == 2 ? 0 : 1;
        }
        times.sort(Double::compare);
        double p50 = times.get(times.size() / 2);
        Load.Result r = new Load.Result("sequential requests", Double.NaN, 1000.0 / p50, p50, times.get(times.size() - 1),
                times.get(times.size() - 1), times.size(), non2xx);
        return tableRow(app, probe, condition, "1 at a time", r);
    }

    private Map<String, Object> tableRow(String app, String probe, String condition, String load, Load.Result r) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.0f | %d |%n", app, probe,
                condition, load, ms(r.p50()), ms(r.p99()), ms(r.max()), r.rps(), r.non2xx()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", app);
        m.put("probe", probe);
        m.put("condition", condition);
        m.put("load", load);
        m.put("p50_ms", r.p50());
        m.put("p99_ms", r.p99());
        m.put("max_ms", r.max());
        m.put("rps", r.rps());
        m.put("requests", r.requests());
        m.put("non_2xx", r.non2xx());
        return m;
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "n/a" : v < 10 ? String.format(Locale.ROOT, "%.3f", v)
                : String.format(Locale.ROOT, "%.0f", v);
    }

    private static <T> double median(List<T> runs, java.util.function.ToDoubleFunction<T> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    // ---------------------------------------------------------------- readiness lag

    private void readinessLag() throws Exception {
        int trials = quick ? 3 : 20;
        List<Double> lags = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            try (RedisServer redis = RedisServer.prepare(null);
                    GuardianProcess g = GuardianProcess.with("GUARDIAN_REDIS_URL", redis.url(),
                            "GUARDIAN_STARTUP_BUDGET", "60s").jvm(TUNED).start().awaitListening()) {
                Thread starter = new Thread(redis::start);
                starter.start();
                long reachable = awaitNanos(() -> connects(redis.port()), 1);
                long ready = awaitNanos(() -> g.get("/q/health/started").code() == 200, 2);
                lags.add((ready - reachable) / 1e6);
                starter.join();
            }
        }
        lags.sort(Double::compare);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trials", trials);
        m.put("lag_ms", lags);
        m.put("p50_ms", lags.get(lags.size() / 2));
        m.put("max_ms", lags.get(lags.size() - 1));
        json.put("readiness_lag", m);
        md.append("### Readiness lag\n\nFrom Redis accepting TCP to `/q/health/started` answering 200, ").append(trials)
                .append(" fresh starts (retry backoff 50 ms to 200 ms): p50 ")
                .append(ms(lags.get(lags.size() / 2))).append(" ms, max ").append(ms(lags.get(lags.size() - 1)))
                .append(" ms; all: ").append(lags.stream().map(Benchmark::ms).toList()).append(".\n")
                .append("The baseline has no such figure: it evaluates its checks during each probe request, so it "
                        + "turns ready at the platform's next probe.\n\n");
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Busy-polls {@code condition} every {@code pollMillis}; returns System.nanoTime() when it first held. */
    private static long awaitNanos(Supplier<Boolean> condition, long pollMillis) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return System.nanoTime();
                }
            } catch (RuntimeException ignored) {
                // not yet
            }
            Thread.sleep(pollMillis);
        }
        throw new IllegalStateException("condition not met within 60 s");
    }

    // ---------------------------------------------------------------- detection

    /** Frozen Postgres: an attempt every second, each timing out after a second, three failures in a row. */
    static final DetectionSchedule POSTGRES_FROZEN = new DetectionSchedule(Duration.ofSeconds(1),
            Duration.ofSeconds(1), "timeout", 3, "failure-threshold", Duration.ofMillis(50), Duration.ofMillis(200),
            0.2);
    /**
     * A frozen path to the backend, seen by the heartbeat: a ping every second, a pong due within a second, two
     * missed in a row. Its retry pause is Guardian's own, not a setting (WebSocketChecks: 20 ms doubling to 5 s).
     */
    static final DetectionSchedule PATH_FROZEN = new DetectionSchedule(Duration.ofSeconds(1), Duration.ofSeconds(1),
            "pong-timeout", 2, "missed-pongs", Duration.ofMillis(20), Duration.ofSeconds(5), 0.2);

    private void detection(PostgresServer pg) throws Exception {
        int trials = quick ? 1 : 5;
        md.append("### Detection time\n\n| fault | configuration | bound | measured (median) | all |\n|---|---|---|---|---|\n");
        List<Double> pgTimes = new ArrayList<>();
        DetectionSchedule p = POSTGRES_FROZEN;
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_POSTGRES_URL",
                pg.url(PostgresServer.ADMIN, PostgresServer.ADMIN_PASSWORD, "postgres"),
                "GUARDIAN_POSTGRES_INTERVAL", DetectionSchedule.setting(p.interval()),
                "GUARDIAN_POSTGRES_TIMEOUT", DetectionSchedule.setting(p.failing()),
                "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", Integer.toString(p.threshold()),
                "GUARDIAN_POSTGRES_RETRY_INTERVAL", DetectionSchedule.setting(p.retry()),
                "GUARDIAN_POSTGRES_RETRY_MAX_INTERVAL", DetectionSchedule.setting(p.retryMax()),
                "GUARDIAN_JITTER", Double.toString(p.jitter())).jvm(TUNED).start().awaitListening()) {
            for (int i = 0; i < trials; i++) {
                g.awaitState("READY", Duration.ofSeconds(60));
                long frozen = System.nanoTime();
                pg.freeze();
                try {
                    pgTimes.add((awaitNanos(() -> g.get("/q/health/ready").code() == 503, 2) - frozen) / 1e6);
                } finally {
                    pg.resume();
                }
            }
        }
        detectionRow("postgres frozen", p, pgTimes);

        List<Double> wsTimes = new ArrayList<>();
        DetectionSchedule h = PATH_FROZEN;
        try (ChatBackend backend = new ChatBackend(); FaultProxy proxy = new FaultProxy(backend.port());
                GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", "ws://127.0.0.1:" + proxy.port() + "/ws",
                        "GUARDIAN_BACKEND_INTERVAL", "1s", "GUARDIAN_BACKEND_FAILURE_THRESHOLD", "3",
                        "GUARDIAN_HEARTBEAT_INTERVAL", DetectionSchedule.setting(h.interval()),
                        "GUARDIAN_HEARTBEAT_PONG_TIMEOUT", DetectionSchedule.setting(h.failing()),
                        "GUARDIAN_HEARTBEAT_MISSED_PONGS", Integer.toString(h.threshold()),
                        "GUARDIAN_JITTER", Double.toString(h.jitter())).jvm(TUNED).start().awaitListening()) {
            for (int i = 0; i < trials; i++) {
                g.awaitState("READY", Duration.ofSeconds(60));
                long frozen = System.nanoTime();
                proxy.freeze();
                try {
                    wsTimes.add((awaitNanos(() -> g.get("/q/health/ready").code() == 503, 2) - frozen) / 1e6);
                } finally {
                    proxy.thaw();
                }
            }
        }
        // The gate checks the same path (interval 1s, threshold 3) but its bound is longer: the heartbeat's decides.
        detectionRow("backend stalled (path frozen)", h, wsTimes);
        md.append("\nThe baseline has no backend check; with a frozen dependency its probe does not answer 503, it "
                + "hangs (see the probe table).\n\n");
    }

    /** One row: the schedule, its bound (see {@link DetectionSchedule}) and what was measured. */
    private void detectionRow(String fault, DetectionSchedule schedule, List<Double> times) {
        String config = schedule.describe();
        long boundMillis = schedule.bound().toMillis();
        times.sort(Double::compare);
        md.append("| ").append(fault).append(" | ").append(config).append(" | ").append(boundMillis).append(" ms | ")
                .append(ms(times.get(times.size() / 2))).append(" ms | ").append(times.stream().map(Benchmark::ms)
                        .toList()).append(" |\n");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configuration", config);
        m.put("bound_ms", boundMillis);
        m.put("measured_ms", times);
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) json.computeIfAbsent("detection", k -> new LinkedHashMap<>());
        d.put(fault, m);
    }

    // ---------------------------------------------------------------- startup and memory

    private void startup(PostgresServer pg, RedisServer redis) throws Exception {
        // The AppCDS archive for the tuned runs: recorded from one run of Guardian, as a deployment would.
        Path archive = Path.of("bench/work/guardian.jsa");
        if (!Files.exists(archive)) {
            try (GuardianProcess g = guardian(pg, redis).jvm("-XX:ArchiveClassesAtExit=" + archive).start()
                    .awaitListening()) {
                g.awaitState("READY", Duration.ofSeconds(30));
                g.sigterm();
                g.awaitExit(Duration.ofSeconds(30));
            }
        }
        md.append("### Startup and memory (JVM mode").append(binary == null ? "" : "; native executable")
                .append(")\n\n| app | JVM flags | first /q/health/live answered | RSS after start | RSS after ")
                .append(quick ? 3 : 120).append(" s of probing |\n|---|---|---|---|---|\n");
        List<Object> rows = new ArrayList<>();
        rows.add(startupRow("guardian", "defaults", () -> guardian(pg, redis).jvm()));
        rows.add(startupRow("guardian", String.join(" ", TUNED), () -> guardian(pg, redis)));
        if (binary != null) {
            // JVM flags are the jar's only: the native executable runs with none, as Dockerfile.native runs it.
            rows.add(startupRow("guardian native", "(none: native executable)", () -> guardian(pg, redis)
                    .binary(binary)));
        }
        rows.add(startupRow("baseline", "defaults", () -> baseline(pg, redis).jvm()));
        json.put("startup", rows);
        md.append('\n');
    }

    private Map<String, Object> startupRow(String app, String flags, Supplier<GuardianProcess> factory)
            throws Exception {
        List<Double> first = new ArrayList<>();
        List<Double> rssStart = new ArrayList<>();
        List<Double> rssLoaded = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            GuardianProcess g = factory.get();
            long start = System.nanoTime();
            g.start();
            long answered = awaitNanos(() -> g.get("/q/health/live").code() == 200, 2);
            first.add((answered - start) / 1e6);
            Thread.sleep(1000);
            rssStart.add(rssMb(g));
            Load.wrk(g.base() + "/q/health/ready", quick ? 3 : 120);
            rssLoaded.add(rssMb(g));
            g.close();
        }
        first.sort(Double::compare);
        rssStart.sort(Double::compare);
        rssLoaded.sort(Double::compare);
        double f = first.get(first.size() / 2);
        double r1 = rssStart.get(rssStart.size() / 2);
        double r2 = rssLoaded.get(rssLoaded.size() / 2);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f ms | %.0f MB | %.0f MB |%n", app, flags, f, r1, r2));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", app);
        m.put("flags", flags);
        m.put("first_live_ms", first);
        m.put("rss_after_start_mb", rssStart);
        m.put("rss_after_probing_mb", rssLoaded);
        return m;
    }

    // ---------------------------------------------------------------- wait mode

    /** {@code guardian wait} against ready Postgres and Redis: from launch to its exit with the verdict READY. */
    private void waitMode(PostgresServer pg, RedisServer redis) throws Exception {
        md.append("### Wait mode: launch to verdict and exit, dependencies ready\n\n")
                .append("| app | JVM flags | median | min | max | runs |\n|---|---|---|---|---|---|\n");
        List<Object> rows = new ArrayList<>();
        rows.add(waitRow("guardian", "defaults", guardian(pg, redis).jvm()));
        rows.add(waitRow("guardian", String.join(" ", TUNED), guardian(pg, redis)));
        if (binary != null) {
            rows.add(waitRow("guardian native", "(none: native executable)", guardian(pg, redis).binary(binary)));
        }
        json.put("wait_mode", rows);
        md.append('\n');
    }

    private Map<String, Object> waitRow(String app, String flags, GuardianProcess g) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < (quick ? 2 : 10); i++) {
            ProcessBuilder pb = g.waitMode().redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("guardian wait did not exit 0 against ready dependencies: " + app);
            }
            millis.add((System.nanoTime() - start) / 1e6);
        }
        millis.sort(Double::compare);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f ms | %.0f ms | %.0f ms | %d |%n", app, flags,
                millis.get(millis.size() / 2), millis.get(0), millis.get(millis.size() - 1), millis.size()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", app);
        m.put("flags", flags);
        m.put("launch_to_exit_ms", millis);
        return m;
    }

    private static double rssMb(GuardianProcess g) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + g.process().pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    // ---------------------------------------------------------------- heartbeat

    private void heartbeat() throws Exception {
        try (ChatBackend backend = new ChatBackend();
                GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                        "GUARDIAN_BACKEND_INTERVAL", "60s", "GUARDIAN_HEARTBEAT_INTERVAL", "200ms",
                        // Jitter off: this measures the timer and the pong, not the spread replicas get.
                        "GUARDIAN_JITTER", "0").jvm(TUNED).start()
                        .awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(30));
            Thread.sleep(quick ? 3_000 : 30_000);
            List<Long> arrivals = backend.pingArrivals();
            List<Double> gaps = new ArrayList<>();
            for (int i = 1; i < arrivals.size(); i++) {
                gaps.add((arrivals.get(i) - arrivals.get(i - 1)) / 1e6);
            }
            gaps.sort(Double::compare);
            String metrics = g.metrics();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("configured_interval_ms", 200);
            m.put("pings", arrivals.size());
            m.put("gap_p50_ms", gaps.get(gaps.size() / 2));
            m.put("gap_p99_ms", gaps.get((int) Math.min(gaps.size() - 1, Math.round(gaps.size() * 0.99))));
            m.put("gap_max_ms", gaps.get(gaps.size() - 1));
            for (String q : List.of("0.5", "0.9", "0.99")) {
                m.put("rtt_p" + q.substring(2) + "_ms", quantile(metrics, q) * 1000);
            }
            json.put("heartbeat", m);
            md.append("### Heartbeat\n\nConfigured interval 200 ms: ").append(m.get("pings"))
                    .append(" pings seen by the backend; gap between pings p50 ").append(ms((Double) m.get("gap_p50_ms")))
                    .append(" ms, p99 ").append(ms((Double) m.get("gap_p99_ms"))).append(" ms, max ")
                    .append(ms((Double) m.get("gap_max_ms"))).append(" ms (interval + pong RTT + timer slack; jitter off). Pong RTT p50 ")
                    .append(ms((Double) m.get("rtt_p5_ms"))).append(" ms, p90 ").append(ms((Double) m.get("rtt_p9_ms")))
                    .append(" ms, p99 ").append(ms((Double) m.get("rtt_p99_ms")))
                    .append(" ms (from the RTT histogram's buckets, interpolated as histogram_quantile does).\n");
        }
    }

    /**
     * The q-quantile of the RTT histogram, interpolated inside its bucket as Prometheus' histogram_quantile does: an
     * estimate whose precision is the bucket's width (1, 2, 5, 10, 25 ms...).
     */
    private static double quantile(String metrics, String q) {
        java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("guardian_heartbeat_rtt_seconds_bucket{le=\"")) {
                String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        if (buckets.isEmpty()) {
            return Double.NaN;
        }
        double rank = Double.parseDouble(q) * buckets.lastEntry().getValue();
        double lower = 0;
        double below = 0;
        for (var b : buckets.entrySet()) {
            if (b.getValue() >= rank) {
                double upper = b.getKey().isInfinite() ? lower : b.getKey();
                double inBucket = b.getValue() - below;
                return inBucket == 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
            }
            lower = b.getKey();
            below = b.getValue();
        }
        return lower;
    }

}
