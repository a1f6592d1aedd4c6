package dev.guardian.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.Exec;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Nginx;
import dev.guardian.testing.Ports;

/**
 * The edge benchmark: one run, three targets on this machine: the echo backend directly, through Guardian in edge
 * mode (the packaged jar, or the native executable given with {@code --binary}), and through nginx configured as a WebSocket reverse proxy (the anchor). For each: echo
 * round trips at a fixed message rate over many connections (latency added over the direct path, p50 and p99),
 * saturation messages/s, upgrades/s, and resident memory per idle proxied connection. Measures, asserts nothing;
 * writes bench/edge-results.md (bench/work/edge-results-quick.md with --quick) and prints it.
 * <p>
 * {@code bench/run.sh --edge [--quick]} runs it. Options: {@code --quick} (short runs, small counts),
 * {@code --rate=N} (messages/s, default 1000), {@code --connections=N} (default 100),
 * {@code --idle=N,M} (idle connection counts, default 1000,10000; capped by the file limit, see below),
 * {@code --binary PATH} (a native Guardian executable instead of the jar).
 */
public final class EdgeBenchmark {
    /** Guardian's JVM as a sidecar would run it: serial GC, a bounded heap, one Netty arena. */
    static final List<String> EDGE_JVM = List.of("-XX:+UseSerialGC", "-Xmx256m", "-Xss512k",
            "-XX:MaxMetaspaceSize=96m", "-Dio.netty.allocator.numDirectArenas=1",
            "-Dio.netty.allocator.numHeapArenas=1");
    static final List<String> BACKEND_JVM = List.of("-XX:+UseSerialGC", "-Xmx512m");

    private record Target(String name, int port, List<ProcessHandle> processes, boolean jvm) {
    }

    private final boolean quick;
    private final int rate;
    private final int connections;
    private final List<Integer> idle;
    private final String binary;
    private final StringBuilder md = new StringBuilder();

    private EdgeBenchmark(List<String> args) {
        quick = args.contains("--quick");
        rate = intOption(args, "--rate=", 1000);
        connections = intOption(args, "--connections=", 100);
        String idleArg = args.stream().filter(a -> a.startsWith("--idle=")).findFirst().map(a -> a.substring(7))
                .orElse(quick ? "1000,2000" : "1000,10000");
        idle = Arrays.stream(idleArg.split(",")).map(Integer::parseInt).toList();
        int at = args.indexOf("--binary");
        binary = at >= 0 && at + 1 < args.size() ? args.get(at + 1) : null;
    }

    /** Guardian in edge mode with no check (READY at once), passing everything to the backend. */
    private GuardianProcess guardian(int backendPort) {
        GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true", "GUARDIAN_EDGE_ENABLED", "true",
                "GUARDIAN_EDGE_HOST", "127.0.0.1", "GUARDIAN_EDGE_PORT", Integer.toString(edgePort),
                "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:" + backendPort,
                "GUARDIAN_EDGE_MAX_CONNECTIONS", "50000");
        if (binary != null) {
            g.binary(binary).maxHeap("256m");
        } else {
            g.jvm(EDGE_JVM.toArray(String[]::new));
        }
        return g;
    }

    private final int edgePort = Ports.free();

    private static GuardianProcess started(GuardianProcess g) {
        g.start().awaitListening().awaitOutput("edge mode: listening");
        return g;
    }

    public static void main(String[] args) throws Exception {
        new EdgeBenchmark(List.of(args)).run();
        System.exit(0);
    }

    private static int intOption(List<String> args, String prefix, int otherwise) {
        return args.stream().filter(a -> a.startsWith(prefix)).findFirst()
                .map(a -> Integer.parseInt(a.substring(prefix.length()))).orElse(otherwise);
    }

    private void run() throws Exception {
        Files.createDirectories(Path.of("bench/work"));
        int cores = Runtime.getRuntime().availableProcessors();
        Duration warm = Duration.ofSeconds(quick ? 2 : 5);
        Duration measure = Duration.ofSeconds(quick ? 3 : 20);
        long fileLimit = fileLimit();
        md.append("## Edge benchmark\n\nMeasured ").append(Instant.now()).append(" on ").append(cores)
                .append(" cores, ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(quick ? " (quick mode)" : "")
                .append(". Echo backend: Vert.x, its own JVM (").append(String.join(" ", BACKEND_JVM))
                .append("). Edge: Guardian in edge mode, no checks (").append(guardian(0).describe()).append("), ")
                .append(cores).append(" event loops. nginx ").append(nginxVersion()).append(": ").append(cores)
                .append(" workers, the WebSocket proxy configuration of its documentation. Load: Vert.x's WebSocket ")
                .append("client in the driver's JVM, on the same cores. File limit per process: ").append(fileLimit)
                .append(". Load average at the start: ").append(loadAverage()).append(".\n\n");
        try (JavaProcess backend = new JavaProcess(BACKEND_JVM, EchoBackend.class.getName(), "0",
                Integer.toString(cores));
                GuardianProcess edge = started(guardian(backend.port));
                Nginx nginx = Nginx.proxy(backend.port, Duration.ofHours(1), cores);
                WsLoad load = new WsLoad()) {
            List<Target> targets = List.of(
                    new Target("direct", backend.port, List.of(backend.handle()), true),
                    new Target("edge", edgePort, List.of(edge.process().toHandle()), binary == null),
                    new Target("nginx", nginx.port(), nginxProcesses(nginx), false));
            latencyAndThroughput(load, targets, warm, measure);
            memory(load, targets, fileLimit);
        }
        md.append("\nLoad average at the end: ").append(loadAverage()).append(" (other work on the machine shows here).\n");
        Files.writeString(Path.of(quick ? "bench/work/edge-results-quick.md" : "bench/edge-results.md"), md.toString());
        System.out.println(md);
    }

    private void latencyAndThroughput(WsLoad load, List<Target> targets, Duration warm, Duration measure) {
        md.append("### Echo round trips: ").append(String.format(Locale.ROOT, "%,d", rate)).append(" messages/s over ")
                .append(connections).append(" connections (µs)\n\n")
                .append("| target | samples | p50 | p90 | p99 | p99.9 | max | added p50 | added p99 | saturation msg/s "
                        + "| CPU ms per 1,000 round trips (proxy) | upgrades/s |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        WsLoad.Latency direct = null;
        for (Target t : targets) {
            // An unmeasured burst first, then saturation and upgrades: everything is measured on warm code
            // (JIT-compiled JVMs), as a long-running sidecar would run.
            System.err.println("== " + t.name() + ": warm-up");
            load.saturation(t.port(), connections, 8, warm, warm);
            System.err.println("== " + t.name() + ": saturation");
            long cpu0 = cpuMillis(t.processes());
            WsLoad.Saturation saturation = load.saturation(t.port(), connections, 8, warm, measure);
            long cpu = cpuMillis(t.processes()) - cpu0;
            System.err.println("== " + t.name() + ": upgrades");
            double upgrades = load.upgrades(t.port(), 32, warm, measure);
            System.err.println("== " + t.name() + ": latency");
            WsLoad.Latency l = load.fixedRate(t.port(), connections, rate, warm, measure);
            if (direct == null) {
                direct = l;
            }
            boolean proxy = !t.name().equals("direct");
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s | %,.0f | %s | %,.0f |%n",
                    t.name(), l.samples(), l.p50(), l.p90(), l.p99(), l.p999(), l.max(),
                    proxy ? String.format(Locale.ROOT, "%+.0f", l.p50() - direct.p50()) : "",
                    proxy ? String.format(Locale.ROOT, "%+.0f", l.p99() - direct.p99()) : "", saturation.rate(),
                    proxy ? String.format(Locale.ROOT, "%.1f", cpu * 1000.0 / Math.max(1, saturation.total())) : "",
                    upgrades));
        }
        md.append("\nEach target gets an unmeasured burst, then saturation, upgrades and the fixed rate: all measured "
                + "warm. "
                + "Added = the target's percentile minus the direct path's in the same run. Saturation: each "
                + "connection keeps 8 messages in flight. CPU: the proxy process(es)' user+system time during the "
                + "saturation run, per 1,000 round trips. Upgrades: upgrade then close, 32 at "
                + "a time.\n\n");
    }

    private void memory(WsLoad load, List<Target> targets, long fileLimit) throws Exception {
        // The edge holds two sockets per connection (client and backend legs).
        int most = (int) Math.min(Integer.MAX_VALUE, (fileLimit - 500) / 2 / 500 * 500);
        md.append("### Resident memory per idle connection\n\n| target | connections | RSS before (MB) | RSS after "
                + "(MB) | RSS per connection (KB) | live Java heap per connection (KB) |\n|---|---|---|---|---|---|\n");
        List<String> notes = new ArrayList<>();
        for (int asked : idle) {
            int n = Math.min(asked, most);
            if (n < asked) {
                notes.add(asked + " connections asked, " + n + " measured: the edge needs two descriptors per "
                        + "connection and the file limit here is " + fileLimit + " per process (bench/run.sh raises "
                        + "it to 65,536 where the hard limit allows)");
            }
            for (Target t : targets) {
                System.err.println("== " + t.name() + ": " + n + " idle connections");
                long[] before = settled(t);
                List<WsLoad.Conn> open = load.open(t.port(), n, 200);
                WsLoad.sleep(Duration.ofSeconds(2));
                long[] after = settled(t);
                md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %s |%n", t.name(), n,
                        before[0] / 1024.0, after[0] / 1024.0, (after[0] - before[0]) / (double) n,
                        t.jvm() ? String.format(Locale.ROOT, "%.1f", (after[1] - before[1]) / (double) n) : ""));
                load.closeAll(open);
                WsLoad.sleep(Duration.ofSeconds(2));
            }
        }
        md.append("\nRSS of the target's own processes (Guardian; nginx's master and workers; for \"direct\", the "
                + "echo backend itself, for reference), each reading after a full GC in a JVM, before opening and "
                + "with the connections open and idle. A JVM's RSS also holds heap pages touched earlier, so its delta "
                + "can under- or over-state the growth; the live heap after a full GC (jcmd GC.heap_info) is exact for "
                + "the Java part. Kernel socket buffers are in neither.");
        for (String note : notes) {
            md.append(' ').append(note).append('.');
        }
        md.append('\n');
    }

    /** RSS and live Java heap (0 for nginx), in KB, after a full GC (JVMs) and a moment to settle. */
    private static long[] settled(Target t) {
        long heap = 0;
        if (t.jvm()) {
            for (ProcessHandle p : t.processes()) {
                Exec.run("jcmd", Long.toString(p.pid()), "GC.run");
                Matcher used = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K")
                        .matcher(Exec.run("jcmd", Long.toString(p.pid()), "GC.heap_info"));
                while (used.find()) {
                    heap += Long.parseLong(used.group(1));
                }
            }
        }
        WsLoad.sleep(Duration.ofSeconds(1));
        long kb = 0;
        for (ProcessHandle p : t.processes()) {
            kb += statusKb(p.pid(), "VmRSS:");
        }
        return new long[] { kb, heap };
    }

    private static List<ProcessHandle> nginxProcesses(Nginx nginx) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(nginx.process());
        nginx.process().children().forEach(all::add);
        return all;
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    /** User + system CPU time of the processes, in milliseconds (clock ticks of 10 ms). */
    private static long cpuMillis(List<ProcessHandle> processes) {
        long ticks = 0;
        for (ProcessHandle p : processes) {
            try {
                String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException e) {
                // gone
            }
        }
        return ticks * 10;
    }

    private static long fileLimit() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/limits"))) {
            return lines.filter(l -> l.startsWith("Max open files")).findFirst()
                    .map(l -> Long.parseLong(l.split("\\s+")[3])).orElse(1024L);
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "(unknown)";
        }
    }

    private static String nginxVersion() {
        try {
            return Exec.run("/usr/sbin/nginx", "-v").trim().replace("nginx version: nginx/", "");
        } catch (RuntimeException e) {
            return "(version unknown)";
        }
    }
}
