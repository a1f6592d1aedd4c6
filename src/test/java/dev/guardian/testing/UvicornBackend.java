package dev.guardian.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The chat backend of {@code src/test/python/chat_backend.py} served by Debian's uvicorn as a child process on a
 * loopback port: a real peer that sends WebSocket PINGs at the cadence it was started with, as the incident's
 * backend did with {@code --ws-ping-interval 45}. It can be frozen (SIGSTOP: no pings, no answers) and resumed.
 *
 * <p>uvicorn 0.17.6 with its {@code websockets} implementation sends the first PING {@code interval} after the
 * handshake completes (the app's accept), then waits for the PONG (at most {@code timeout}, else it closes with 1011)
 * and sleeps {@code interval} again: the period is the interval plus the PONG's round trip. Its {@code wsproto}
 * implementation answers PINGs but never sends any.
 */
public final class UvicornBackend extends ChildServer {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path APP_DIR = Path.of("src/test/python");
    private static final Path LOGS = Path.of("target", "uvicorn");

    private final Path log;

    private UvicornBackend(int port) {
        super(port);
        this.log = LOGS.resolve("uvicorn-" + port + ".log").toAbsolutePath();
    }

    /** A backend whose server pings every {@code interval} and drops a peer that has not answered within {@code timeout}. */
    public static UvicornBackend pinging(Duration interval, Duration timeout) {
        UvicornBackend b = new UvicornBackend(Ports.free());
        b.start("websockets", List.of("--ws-ping-interval", seconds(interval), "--ws-ping-timeout", seconds(timeout)));
        return b;
    }

    /** A backend that never pings by design (uvicorn's wsproto implementation, which only answers pings). */
    public static UvicornBackend neverPinging() {
        UvicornBackend b = new UvicornBackend(Ports.free());
        b.start("wsproto", List.of());
        return b;
    }

    private static String seconds(Duration d) {
        return Double.toString(d.toMillis() / 1000.0);
    }

    private void start(String implementation, List<String> pingOptions) {
        Requirements.need(PYTHON, "python3");
        Requirements.needPythonModule(PYTHON, "uvicorn", "python3-uvicorn");
        Requirements.needPythonModule(PYTHON, "websockets".equals(implementation) ? "websockets" : "wsproto",
                "websockets".equals(implementation) ? "python3-websockets" : "python3-wsproto");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-m", "uvicorn", "chat_backend:app", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--ws", implementation, "--lifespan", "off", "--no-access-log"));
        cmd.addAll(pingOptions);
        try {
            Files.createDirectories(LOGS);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(APP_DIR.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + PYTHON + " (Debian's package python3): " + e.getMessage(), e);
        }
        await("uvicorn listening on port " + port).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(startFailure());
                    }
                    return listening();
                });
    }

    private String startFailure() {
        String out = log();
        String hint = out.contains("No module named uvicorn") ? " (install Debian's package python3-uvicorn)"
                : out.contains("No module named 'websockets'") ? " (install Debian's package python3-websockets)"
                        : out.contains("No module named 'wsproto'") ? " (install Debian's package python3-wsproto)" : "";
        return "uvicorn exited with code " + process.exitValue() + hint + ": " + out.strip();
    }

    /** {@code ws://127.0.0.1:PORT/path}. */
    public String url(String path) {
        return "ws://127.0.0.1:" + port + path;
    }

    /** What uvicorn printed so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM (uvicorn closes its connections and exits); SIGKILL if it has not ended within 5 s. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        resume();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
