package dev.guardian.edge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.guardian.testing.Requirements;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real client in another language as a child process: Node's {@code ws} ({@code src/test/js/ws-client.mjs}) or
 * Python's {@code websockets} ({@code src/test/python/ws_client.py}, Debian's interpreter). Commands go to its stdin
 * as JSON lines, its events come back as JSON lines.
 */
final class ScriptedClient implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final List<JsonObject> seen = new ArrayList<>();
    private final StringBuffer stderr = new StringBuffer();

    private ScriptedClient(List<String> command) {
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread out = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    events.add(new JsonObject(line));
                }
            } catch (IOException | RuntimeException ignored) {
                // process ended
            }
        });
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try {
                stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process ended
            }
        });
        err.setDaemon(true);
        err.start();
    }

    static ScriptedClient node(String url, JsonObject options) {
        Requirements.nodeModules();
        return new ScriptedClient(List.of("node", "src/test/js/ws-client.mjs", url, options.encode()));
    }

    static ScriptedClient python(String url, JsonObject options) {
        Requirements.needPythonModule("/usr/bin/python3", "websockets", "python3-websockets");
        return new ScriptedClient(List.of("/usr/bin/python3", "src/test/python/ws_client.py", url, options.encode()));
    }

    ScriptedClient send(JsonObject command) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((command.encode() + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    ScriptedClient text(String data) {
        return send(new JsonObject().put("op", "text").put("data", data));
    }

    ScriptedClient binary(String hex) {
        return send(new JsonObject().put("op", "binary").put("hex", hex));
    }

    ScriptedClient fragments(boolean binary, String... parts) {
        return send(new JsonObject().put("op", "fragments").put("binary", binary).put("parts", new JsonArray(List.of(
                (Object[]) parts))));
    }

    ScriptedClient close(int code, String reason) {
        return send(new JsonObject().put("op", "close").put("code", code).put("reason", reason));
    }

    /** The next event matching {@code what}, skipping others (kept in {@link #seen()}); fails after {@code within}. */
    JsonObject await(String description, Predicate<JsonObject> what, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonObject e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + description + " within " + within + "; events: " + seen
                            + "; stderr: " + stderr);
                }
                seen.add(e);
                if (what.test(e)) {
                    return e;
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonObject await(String event, Duration within) {
        return await(event, e -> event.equals(e.getString("event")), within);
    }

    /** The next message event's text (or hex for binary). */
    String nextMessage() {
        JsonObject m = await("message", Duration.ofSeconds(10));
        return "binary".equals(m.getString("type")) ? "binary:" + m.getString("hex") : m.getString("data");
    }

    List<JsonObject> seen() {
        return seen;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
