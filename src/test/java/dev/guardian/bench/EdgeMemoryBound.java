package dev.guardian.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Ports;
import dev.guardian.testing.RawHttp;

/**
 * The edge's memory in JVM mode with the JVM image's flags (Dockerfile.jvm): Guardian's resident memory at READY,
 * with 1,000 idle WebSockets, and with 100 clients that stop reading while the backend floods each (the bytes held in
 * flight at their bound), with the full collections the JVM forced because its direct memory, where Netty keeps those
 * bytes, was at its cap (-Xmx48m caps it at 48 MB too). Not part of bench/run.sh; run it on its own (a few minutes):
 *
 * <pre>
 * ./mvnw -B -q package -DskipTests && ./mvnw -B -q test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
 * java -cp "target/test-classes:$(cat target/bench-classpath.txt)" dev.guardian.bench.EdgeMemoryBound
 * </pre>
 *
 * Writes bench/edge-memory-bound.md.
 */
public final class EdgeMemoryBound {
    /** Dockerfile.jvm's GC_CONTAINER_OPTIONS and JAVA_OPTS_APPEND, without the class data archive it names. */
    static final List<String> IMAGE_JVM = List.of("-XX:+UseSerialGC", "-Xmx48m", "-Xss512k",
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=24m",
            "-XX:MaxMetaspaceSize=64m", "-Dio.netty.allocator.numDirectArenas=1",
            "-Dio.netty.allocator.numHeapArenas=1");
    private static final Path GC_LOG = Path.of("bench/work/edge-memory-gc.log").toAbsolutePath();
    private static final int CONNECTIONS = 1_000;
    private static final int FLOODED = 100;

    private final StringBuilder md = new StringBuilder();
    private final int edgePort = Ports.free();

    public static void main(String[] args) throws Exception {
        new EdgeMemoryBound().run();
        System.exit(0);
    }

    private void run() throws Exception {
        md.append("## Edge memory in JVM mode\n\nMeasured ").append(Instant.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores with dev.guardian.bench.")
                .append("EdgeMemoryBound. Guardian in edge mode with the default limits (1,000 connections, ")
                .append("max-buffered 16 MiB, 64 KiB frames), no checks, the JVM image's flags: ")
                .append(String.join(" ", IMAGE_JVM)).append(". Backend: the echo backend in its own JVM. Clients: ")
                .append("raw sockets in the driver's JVM, upgrading one after the other.\n\n")
                .append("| stage | VmRSS (MB) | VmHWM (MB) | buffered_bytes (MB) | full GCs forced (System.gc()) so far ")
                .append("| upgrades: time for all, slowest (ms) |\n|---|---|---|---|---|---|\n");
        try (JavaProcess backend = new JavaProcess(EdgeBenchmark.BACKEND_JVM, EchoBackend.class.getName(), "0",
                "2");
                GuardianProcess edge = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true",
                        "GUARDIAN_EDGE_ENABLED", "true", "GUARDIAN_EDGE_HOST", "127.0.0.1",
                        "GUARDIAN_EDGE_PORT", Integer.toString(edgePort),
                        "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:" + backend.port)
                        .jvm(jvm())) {
            edge.start().awaitListening().awaitOutput("edge mode: listening");
            WsLoad.sleep(Duration.ofSeconds(3));
            row("READY, nothing open", edge);

            List<Socket> open = upgrade("/echo", CONNECTIONS);
            WsLoad.sleep(Duration.ofSeconds(3));
            row(CONNECTIONS + " idle WebSockets", edge);
            closeAll(open);
            WsLoad.sleep(Duration.ofSeconds(3));

            // Clients that never read, each flooded by the backend: the edge stops reading the backend's legs.
            open = upgrade("/ws/flood", FLOODED);
            WsLoad.sleep(Duration.ofSeconds(10));
            row(FLOODED + " clients not reading, each flooded", edge);
            closeAll(open);
        }
        md.append("\nVmRSS: resident memory at that stage; VmHWM: the most it has been so far. buffered_bytes: the ")
                .append("edge's own count of bytes written towards peers that their kernel has not taken yet ")
                .append("(guardian_edge_buffered_bytes). Full GCs forced: the JVM's collections with the cause ")
                .append("System.gc(), which it runs when a direct buffer cannot be reserved under its cap, then waits ")
                .append("up to about half a second ")
                .append("for memory to come back. Kernel socket buffers are in none of these; the clients ask for a ")
                .append("4 KiB receive buffer.\n");
        Files.writeString(Path.of("bench/edge-memory-bound.md"), md.toString());
        System.out.println(md);
    }

    private static String[] jvm() throws IOException {
        Files.createDirectories(GC_LOG.getParent());
        Files.deleteIfExists(GC_LOG);
        List<String> flags = new ArrayList<>(IMAGE_JVM);
        flags.add("-Xlog:gc:file=" + GC_LOG);
        return flags.toArray(String[]::new);
    }

    private String upgrades = "";

    private void row(String stage, GuardianProcess edge) throws IOException {
        String status = Files.readString(Path.of("/proc/" + edge.pid() + "/status"));
        Matcher buffered = Pattern.compile("(?m)^guardian_edge_buffered_bytes (\\S+)").matcher(edge.metrics());
        long forced = Files.exists(GC_LOG) ? Files.readAllLines(GC_LOG).stream()
                .filter(l -> l.contains("(System.gc())")).count() : 0;
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %d | %s |%n", stage,
                kb(status, "VmRSS:") / 1024.0, kb(status, "VmHWM:") / 1024.0, buffered.find()
                        ? String.format(Locale.ROOT, "%.1f", Double.parseDouble(buffered.group(1)) / (1 << 20))
                        : "?", forced, upgrades));
        upgrades = "";
    }

    private static long kb(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + "\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** {@code n} WebSocket upgrades through the edge on raw sockets that read nothing after the 101. */
    private List<Socket> upgrade(String path, int n) throws IOException {
        List<Socket> all = new ArrayList<>();
        long slowest = 0;
        long started = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            all.add(RawHttp.stalledWebSocket(edgePort, path));
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        upgrades = String.format(Locale.ROOT, "%,d, %d", (System.nanoTime() - started) / 1_000_000,
                slowest / 1_000_000);
        return all;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
