package dev.guardian.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

/**
 * The packaged Guardian ({@code target/quarkus-app/quarkus-run.jar}) run as a real process with environment
 * variables, as a platform would run it. Its output is captured so tests can read the logs. Every request goes
 * on a fresh connection ({@link FreshHttp}), as the kubelet probes.
 */
public final class GuardianProcess implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, String> env = new HashMap<>();
    private String jar = System.getProperty("guardian.jar", "target/quarkus-app/quarkus-run.jar");
    private List<String> jvm = List.of("-Xmx96m");
    private String portVariable = "GUARDIAN_PORT";
    private final int port = Ports.free();
    private final int managementPort = Ports.free();
    private final StringBuffer output = new StringBuffer();
    private Process process;
    private Thread reader;

    public static GuardianProcess with(String... keyValues) {
        return new GuardianProcess().env(keyValues);
    }

    public GuardianProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** More variables, as name, value, name, value... */
    public GuardianProcess env(String... keyValues) {
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return this;
    }

    /** Another Quarkus jar (the benchmark's baseline), told its port through {@code portVariable}. */
    public GuardianProcess jar(String path, String portVariable) {
        this.jar = path;
        this.portVariable = portVariable;
        return this;
    }

    /** JVM flags instead of the default small heap. */
    public GuardianProcess jvm(String... flags) {
        this.jvm = List.of(flags);
        return this;
    }

    /** The command that runs Guardian (the packaged jar with its JVM flags), before any argument. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(javaBin()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar));
        return cmd;
    }

    /** The environment Guardian gets: none of the test JVM's GUARDIAN_* variables, its ports, the given ones. */
    public Map<String, String> environment(Map<String, String> inherited) {
        Map<String, String> out = new HashMap<>(inherited);
        out.keySet().removeIf(k -> k.startsWith("GUARDIAN_") || k.startsWith("QUARKUS_"));
        out.put(portVariable, Integer.toString(port));
        out.put("GUARDIAN_MANAGEMENT_PORT", Integer.toString(managementPort));
        out.putAll(env);
        return out;
    }

    public GuardianProcess start() {
        List<String> cmd = command();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> environment = environment(pb.environment());
        pb.environment().clear();
        pb.environment().putAll(environment);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "guardian-output");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits until Guardian answers HTTP at all. */
    public GuardianProcess awaitListening() {
        await("Guardian listening on " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreException(UncheckedIOException.class).until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("Guardian exited with " + process.exitValue() + ":\n" + output);
                    }
                    return get("/q/health/live").code() > 0;
                });
        return this;
    }

    /** One GET on the public port (the platform's probes), on a fresh connection, within 5 s. */
    public Health get(String path) {
        return get(path, DEFAULT_TIMEOUT);
    }

    /** One GET on the public port on a fresh connection, within {@code timeout}; throws UncheckedIOException. */
    public Health get(String path, Duration timeout) {
        return fetch(base() + path, timeout);
    }

    /** One GET on the management interface (detailed health JSON, metrics, status page), on a fresh connection. */
    public Health management(String path) {
        return fetch(managementBase() + path, DEFAULT_TIMEOUT);
    }

    private static Health fetch(String url, Duration timeout) {
        try {
            return FreshHttp.get(url, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(url + ": " + e, e);
        }
    }

    /** The HTTP status of one GET on a fresh connection, waiting up to {@code timeout}; -1 when it did not answer. */
    public static int status(String url, Duration timeout) {
        try {
            return FreshHttp.get(url, timeout).code();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The detailed health JSON, from the management interface. */
    public Health health() {
        return management("/q/health");
    }

    /** Prometheus metrics, from the management interface. */
    public String metrics() {
        return management("/q/metrics").body();
    }

    /** Waits for a state in the full health JSON and returns that JSON; an unanswered poll counts as not yet. */
    public Health awaitState(String state, Duration atMost) {
        try {
            await("state " + state).atMost(atMost).pollInterval(Duration.ofMillis(25))
                    .ignoreException(UncheckedIOException.class).until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("Guardian exited with " + process.exitValue()
                                    + " while waiting for state " + state + ":\n" + output);
                        }
                        return state.equals(health().state());
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no state " + state + " within " + atMost + "; last answer:\n" + lastAnswer(), e);
        }
        return health();
    }

    private String lastAnswer() {
        try {
            return health().body();
        } catch (UncheckedIOException e) {
            return "(none: " + e.getMessage() + ")";
        }
    }

    /** Where the platform's probes go. */
    public String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface: detailed health JSON, metrics, status page (on loopback). */
    public String managementBase() {
        return "http://127.0.0.1:" + managementPort;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits until the output contains {@code text} (transition lines are written from their own thread). */
    public void awaitOutput(String text) {
        try {
            await("output containing " + text).atMost(Duration.ofSeconds(5)).until(() -> output().contains(text));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no <" + text + "> in the output:\n" + output(), e);
        }
    }

    public String output() {
        return output.toString();
    }

    /** SIGTERM as a platform sends it. (Process.destroy() would also close our end of its output.) */
    public void sigterm() {
        Exec.signal(process.toHandle(), "TERM");
    }

    public Process process() {
        return process;
    }

    /** Exit code, waiting at most {@code atMost}; fails when the process is still running. */
    public int awaitExit(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Guardian still running after " + atMost + "; output:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        try {
            reader.join(5_000); // the last lines of output
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
