package dev.guardian.edge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.guardian.testing.Requirements;
import io.vertx.core.json.JsonObject;

/**
 * Runs {@code src/test/js/edge-browser.mjs}: Debian's chromium, headless, opening the chat test page
 * ({@code src/test/resources/edge/chat.html}) on a WebSocket URL and going through the given steps. Returns every
 * JSON line it printed once it has ended.
 */
final class BrowserRun {
    private BrowserRun() {
    }

    /** The page's file URL for a WebSocket URL; the page reconnects {@code reconnectMillis} after each close. */
    static String page(String wsUrl, long reconnectMillis) {
        return Path.of("src/test/resources/edge/chat.html").toAbsolutePath().toUri() + "?ws=" + wsUrl + "&reconnect="
                + reconnectMillis;
    }

    static List<JsonObject> run(String page, Path screenshot, long stepTimeoutMillis, String... steps) {
        Requirements.need("/usr/bin/chromium", "chromium");
        Requirements.nodeModules();
        List<String> cmd = new ArrayList<>(List.of("node", "src/test/js/edge-browser.mjs", "--page", page,
                "--screenshot", screenshot.toString(), "--timeout", Long.toString(stepTimeoutMillis)));
        cmd.addAll(List.of(steps));
        List<JsonObject> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(new JsonObject(line));
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return lines;
    }

    /** Whether the run ended with {"event":"done"}. */
    static boolean done(List<JsonObject> lines) {
        return !lines.isEmpty() && "done".equals(lines.get(lines.size() - 1).getString("event"));
    }

    /** The page's own events of one kind (open, message, close, sent). */
    static List<JsonObject> pageEvents(List<JsonObject> lines, String event) {
        return lines.stream().filter(l -> "page".equals(l.getString("source")) && event.equals(l.getString("event")))
                .toList();
    }
}
