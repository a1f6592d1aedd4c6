package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.ImageDefinition;
import dev.guardian.testing.Ports;
import dev.guardian.testing.ProcStats;
import dev.guardian.testing.RawHttp;

/**
 * Guardian in edge mode with the JVM image's flags (-Xmx48m, which caps its direct memory at 48 MB too), clients that
 * stop reading while the backend floods each: the edge pauses the backend legs and its direct memory stays under
 * the cap. The evidence is the JVM's own GC log: a direct buffer it cannot reserve under the cap makes it force a
 * full collection (cause "System.gc()") and wait, stalling the event loop.
 */
class EdgeDirectMemoryIT {
    /** Enough that 1-2 MiB of direct memory held per backend leg (as before the fix) is well over the cap. */
    private static final int STALLED = 50;

    @Test
    void floodedClientsThatStopReadingStayUnderTheJvmImagesDirectMemoryCap() throws IOException {
        GuardianProcess.assumeJvm("the JVM's direct memory cap and its GC log");
        Path gcLog = Files.createTempFile("edge-direct-gc", ".log");
        List<String> flags = new ArrayList<>(ImageDefinition.forTheRun().jvmOptions());
        flags.add("-Xlog:gc:file=" + gcLog);
        int port = Ports.free();
        List<Socket> clients = new ArrayList<>();
        try (EchoBackend backend = new EchoBackend();
                GuardianProcess edge = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true",
                        "GUARDIAN_EDGE_ENABLED", "true", "GUARDIAN_EDGE_HOST", "127.0.0.1",
                        "GUARDIAN_EDGE_PORT", Integer.toString(port),
                        "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:" + backend.port(),
                        // No keepalive closes: the clients stay stalled for the whole test.
                        "GUARDIAN_EDGE_CLIENT_PING_INTERVAL", "10m", "GUARDIAN_EDGE_PONG_TIMEOUT", "10m")
                        .jvm(flags.toArray(String[]::new))) {
            edge.start().awaitListening().awaitOutput("edge mode: listening");
            for (int i = 0; i < STALLED; i++) {
                clients.add(RawHttp.stalledWebSocket(port, "/ws/flood"));
            }
            await("every flooded backend leg paused").atMost(Duration.ofSeconds(60))
                    .until(() -> backend.connections().size() == STALLED
                            && backend.connections().stream().allMatch(c -> c.queueFull.get() >= 1));
            // At rest: every leg paused and the kernels' buffers full.
            Steady.await("the flood", () -> backend.connections().stream().mapToLong(c -> c.bytesSent.get()).sum(),
                    Duration.ofSeconds(2));

            long forced = Files.readAllLines(gcLog).stream().filter(l -> l.contains("(System.gc())")).count();
            System.out.printf("%d stalled flooded clients: RSS %d MB, %d full collections forced by direct memory%n",
                    STALLED, ProcStats.of(edge.pid()).rssKb() / 1024, forced);
            assertEquals(0, forced, "full collections forced because direct memory was at its cap (GC log "
                    + gcLog + ")");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            Files.deleteIfExists(gcLog);
        }
    }
}
