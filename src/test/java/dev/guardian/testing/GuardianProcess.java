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
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.core.ConditionTimeoutException;

/**
 * Guardian run as a real process with environment variables, as a platform would run it: the packaged jar
 * ({@code target/quarkus-app/quarkus-run.jar}) by default, or the executable that {@code -Dguardian.binary} names (a
 * native build), so that the whole suite runs unchanged against either. Its output is captured so tests can read the
 * logs. Every request goes on a fresh connection ({@link FreshHttp}), as the kubelet probes.
 */
public final class GuardianProcess implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** {@code -Dguardian.binary=path/to/guardian-runner}: the executable under test; blank: the packaged jar. */
    private static final String BINARY = System.getProperty("guardian.binary", "").trim();

    private final Map<String, String> env = new HashMap<>();
    private String jar = System.getProperty("guardian.jar", "target/quarkus-app/quarkus-run.jar");
    private String binary = BINARY;
    private List<String> jvm = List.of();
    private final List<String> properties = new ArrayList<>();
    /** The tests' small heap, for both runtimes unless {@link #jvm} replaces it. */
    private String maxHeap = "96m";
    private List<String> launcher = List.of();
    private Map<String, String> onlyEnvironment;
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

    /** True when the suite runs a native executable ({@code -Dguardian.binary}) rather than the packaged jar. */
    public static boolean nativeBinary() {
        return !BINARY.isEmpty();
    }

    /** The native executable that {@code -Dguardian.binary} names, as an absolute path. */
    public static Path binaryUnderTest() {
        if (!nativeBinary()) {
            throw new IllegalStateException("no -Dguardian.binary given");
        }
        return Path.of(BINARY).toAbsolutePath();
    }

    /**
     * For a figure that only a JVM has (a heap after {@code jcmd GC.run}, a {@code jvm_} metric): skips the calling
     * test with {@code why} when the suite runs a native executable.
     */
    public static void assumeJvm(String why) {
        org.junit.jupiter.api.Assumptions.assumeFalse(nativeBinary(),
                () -> "JVM only, skipped for the native executable " + BINARY + ": " + why);
    }

    /** Another Quarkus jar (the benchmark's baseline, always a JVM), told its port through {@code portVariable}. */
    public GuardianProcess jar(String path, String portVariable) {
        this.jar = path;
        this.binary = "";
        this.portVariable = portVariable;
        return this;
    }

    /** Another executable than {@code -Dguardian.binary} (e.g. a copy that a sandboxed user may run). */
    public GuardianProcess binary(String path) {
        this.binary = path;
        return this;
    }

    /**
     * JVM flags instead of the default small heap. JVM-only: a native executable gets none of them (it would refuse
     * most), so callers can pass tuned flags whatever the suite runs.
     */
    public GuardianProcess jvm(String... flags) {
        this.jvm = List.of(flags);
        this.maxHeap = null;
        return this;
    }

    /** A system property ({@code -Dname=value}), which the JVM and a native executable read alike. */
    public GuardianProcess property(String name, String value) {
        properties.add("-D" + name + "=" + value);
        return this;
    }

    /**
     * A heap bound for both runtimes (96m unless {@link #jvm} was called): {@code -Xmx} is read by the JVM and by a
     * native executable at run time alike; null for none.
     */
    public GuardianProcess maxHeap(String size) {
        this.maxHeap = size;
        return this;
    }

    /**
     * Launches Guardian through {@code prefix} (e.g. a sandbox entering namespaces and dropping to another user). The
     * prefix must exec the command it is given, so that the process the test signals is Guardian itself.
     */
    public GuardianProcess launchedBy(List<String> prefix) {
        this.launcher = List.copyOf(prefix);
        return this;
    }

    /**
     * Exactly these variables and nothing inherited, as a container gets them: no test port is injected either, so
     * Guardian listens where {@code env} (or its defaults) says, and {@link #get} does not apply.
     */
    public GuardianProcess onlyEnvironment(Map<String, String> env) {
        this.onlyEnvironment = Map.copyOf(env);
        return this;
    }

    /** The command line of the Guardian under test, without any launcher. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        if (!binary.isEmpty()) {
            cmd.add(Path.of(binary).toAbsolutePath().toString());
        } else {
            cmd.add(javaBin());
            cmd.addAll(jvm);
        }
        if (maxHeap != null) {
            cmd.add("-Xmx" + maxHeap);
        }
        cmd.addAll(properties);
        if (binary.isEmpty()) {
            cmd.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
        }
        return cmd;
    }

    /** What runs, for reports: the native executable, or the jar and its JVM flags. */
    public String describe() {
        List<String> cmd = command();
        return binary.isEmpty() ? "jar " + jar + " with " + String.join(" ", cmd.subList(1, cmd.size() - 2))
                : "native executable " + String.join(" ", cmd);
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

    /**
     * {@code guardian wait} with this process' command line and environment, to be started by the caller (it exits by
     * itself with its verdict).
     */
    public ProcessBuilder waitMode() {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(command());
        cmd.add("wait");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> environment = environment(pb.environment());
        pb.environment().clear();
        pb.environment().putAll(environment);
        return pb;
    }

    public GuardianProcess start() {
        if (!binary.isEmpty() && !java.nio.file.Files.isExecutable(Path.of(binary))) {
            throw new AssertionError("-Dguardian.binary=" + binary + " is not an executable file");
        }
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(command());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (onlyEnvironment != null) {
            pb.environment().clear();
            pb.environment().putAll(onlyEnvironment);
            pb.directory(new java.io.File("/"));
            pb.environment().putAll(env);
        } else {
            Map<String, String> environment = environment(pb.environment());
            pb.environment().clear();
            pb.environment().putAll(environment);
        }
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

    /**
     * Waits until Guardian answers HTTP at all: on the public port, and on the management interface when the test
     * chose its port (Quarkus opens the two one after the other).
     */
    public GuardianProcess awaitListening() {
        await("Guardian listening on " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreException(UncheckedIOException.class).until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("Guardian exited with " + process.exitValue() + ":\n" + output);
                    }
                    return get("/q/health/live").code() > 0
                            && (!managedHere() || management("/q/health/live").code() > 0);
                });
        return this;
    }

    /** Whether the management interface listens on the port this harness chose: Guardian's, not another jar's. */
    private boolean managedHere() {
        return onlyEnvironment == null && portVariable.equals("GUARDIAN_PORT");
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

    /**
     * Waits for a state in the full health JSON and returns the very answer that showed it (a second request could
     * already see the next state); an unanswered poll counts as not yet.
     */
    public Health awaitState(String state, Duration atMost) {
        AtomicReference<Health> seen = new AtomicReference<>();
        try {
            await("state " + state).atMost(atMost).pollInterval(Duration.ofMillis(25))
                    .ignoreException(UncheckedIOException.class).until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("Guardian exited with " + process.exitValue()
                                    + " while waiting for state " + state + ":\n" + output);
                        }
                        Health h = health();
                        seen.set(h);
                        return state.equals(h.state());
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no state " + state + " within " + atMost + "; last answer:\n" + lastAnswer(), e);
        }
        return seen.get();
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
