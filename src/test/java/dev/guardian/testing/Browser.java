package dev.guardian.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Guardian's status page in a real headless browser: {@code src/test/js/status-page.mjs} (playwright-core driving
 * Debian's chromium) run as a child process in interactive mode. Each step is a line on its stdin; its answer is a
 * JSON line on its stdout. A step that does not hold within its timeout fails the test with what the page showed.
 */
public final class Browser implements AutoCloseable {
    /** One line the driver printed: {@code event} ("loaded", "observed", "console", "step", "screenshot") and more. */
    public record Event(String event, long at, JsonObject json) {
        public boolean ok() {
            return json.getBoolean("ok", false);
        }

        /** What the condition found: the state, the matched text, the banner text. */
        public String value() {
            Object v = json.getValue("value");
            return v == null ? null : v.toString();
        }
    }

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SCRIPTS = Path.of("src/test/js");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Beyond a step's own timeout: the driver's screenshot and reporting. */
    private static final Duration SLACK = Duration.ofSeconds(15);

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<Event> results = new LinkedBlockingQueue<>();
    private final List<Event> observed = new ArrayList<>();
    private final List<Event> console = new ArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    private Duration timeout = DEFAULT_TIMEOUT;

    private Browser(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        daemon("browser events", this::readEvents);
        daemon("browser stderr", this::readErrors);
    }

    /**
     * Opens {@code url}; the driver saves a full-page screenshot to {@code finalScreenshot} when it ends (also when a
     * step failed), or none when it is null.
     */
    public static Browser open(String url, Path finalScreenshot) {
        requireTools();
        List<String> cmd = new ArrayList<>(List.of("node", "status-page.mjs", url, "--interactive",
                "--timeout", Long.toString(DEFAULT_TIMEOUT.toMillis())));
        if (finalScreenshot != null) {
            cmd.addAll(List.of("--screenshot", finalScreenshot.toAbsolutePath().toString()));
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(SCRIPTS.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node (Debian's package nodejs): " + e.getMessage(), e);
        }
        Browser b = new Browser(p);
        b.awaitLoaded();
        return b;
    }

    private static void requireTools() {
        Requirements.need(CHROMIUM.toString(), "chromium");
        Requirements.nodeModules();
    }

    private void awaitLoaded() {
        Event e = next(events, DEFAULT_TIMEOUT.plus(SLACK), "the page to load");
        while (!"loaded".equals(e.event())) {
            if ("step".equals(e.event()) && !e.ok()) {
                throw new AssertionError("status page did not load: " + e.json().getString("message"));
            }
            e = next(events, DEFAULT_TIMEOUT.plus(SLACK), "the page to load");
        }
    }

    /** Sends one step line (see status-page.mjs) and returns its successful result; fails the test otherwise. */
    public Event step(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a step is one line: " + line);
        }
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("the browser driver is gone (" + exitDescription() + ")", e);
        }
        Event e = next(results, timeout.plus(SLACK), "step \"" + line + "\"");
        if (!e.ok()) {
            throw new AssertionError("status page: " + e.json().getString("message"));
        }
        return e;
    }

    /** Timeout of the following steps. */
    public Browser within(Duration within) {
        if (!within.equals(timeout)) {
            step("timeout " + within.toMillis());
            timeout = within;
        }
        return this;
    }

    public Event expectState(String state) {
        return step("expect-state " + state);
    }

    /** The check named {@code key} (or the part with data-testid {@code key}) shows {@code text}. */
    public Event expectText(String key, String text) {
        return step("expect-text " + key + "=" + text);
    }

    public Event expectStale() {
        return step("expect-stale");
    }

    public Event expectFresh() {
        return step("expect-fresh");
    }

    public Event expectNoElement(String css) {
        return step("expect-no-element " + css);
    }

    /** {@code window[name]} is undefined: nothing that the data smuggled in ran. */
    public Event expectUnset(String name) {
        return step("expect-unset " + name);
    }

    public Path screenshot(Path path) {
        step("screenshot " + path.toAbsolutePath());
        return path.toAbsolutePath();
    }

    /** Every event so far and to come, in order (steps, display changes seen in the page, console errors). */
    public BlockingQueue<Event> events() {
        return events;
    }

    /** The display changes the page reported (state, stale banner), with when they happened. */
    public List<Event> observed() {
        synchronized (observed) {
            return List.copyOf(observed);
        }
    }

    /**
     * When the page's display first read {@code state}, else {@code step}'s time. The page reports each change as it
     * renders, and it renders the state, its reason and the checks from one document in one pass: this is when all of
     * them were shown, without the round trips of the steps that confirmed them.
     */
    public long shownAt(String state, Event step) {
        return observed().stream().filter(e -> state.equals(e.json().getString("state"))).mapToLong(Event::at).min()
                .orElse(step.at());
    }

    /** Errors the page logged or threw (failed requests, Content-Security-Policy violations, script errors). */
    public List<Event> consoleErrors() {
        synchronized (console) {
            return List.copyOf(console);
        }
    }

    private Event next(BlockingQueue<Event> queue, Duration wait, String what) {
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                Event e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    return e;
                }
                if (!process.isAlive() && queue.isEmpty()) {
                    // The reader thread may still be handing over the last line.
                    e = queue.poll(500, TimeUnit.MILLISECONDS);
                    if (e != null) {
                        return e;
                    }
                    throw new AssertionError("the browser driver ended while waiting for " + what + " ("
                            + exitDescription() + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer from the browser driver within " + wait.toMillis()
                            + " ms while waiting for " + what + "; stderr: " + stderr);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    private String exitDescription() {
        String code = process.isAlive() ? "still running" : "exit code " + process.exitValue();
        return code + "; stderr: " + stderr.toString().strip();
    }

    private void readEvents() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                Event e;
                try {
                    JsonObject json = new JsonObject(line);
                    e = new Event(json.getString("event", "?"), json.getLong("at", 0L), json);
                } catch (DecodeException notJson) {
                    System.err.println("[browser] " + line);
                    continue;
                }
                System.out.println("[browser] " + line);
                events.add(e);
                if ("step".equals(e.event())) {
                    results.add(e);
                } else if ("observed".equals(e.event())) {
                    synchronized (observed) {
                        observed.add(e);
                    }
                } else if ("console".equals(e.event())) {
                    synchronized (console) {
                        console.add(e);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private void readErrors() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                System.err.println("[browser] " + line);
                if (stderr.length() < 16_384) {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** Ends the driver (it takes its final screenshot and closes chromium); kills it if it does not end. */
    @Override
    public void close() {
        try {
            stdin.write("quit\n");
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
