package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.PostgresAndRedis;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.RedisServer;

/**
 * {@code guardian wait}: one verdict against real dependencies, then exit with a documented code; the health JSON on
 * standard output, a summary on standard error, and never a listening port.
 */
class WaitModeIT {
    @RegisterExtension
    static final PostgresAndRedis deps = new PostgresAndRedis();

    /** What one run of {@code guardian wait} gave. */
    record Run(int exit, String stdout, String stderr, Set<Long> listening, long millis) {
    }

    private static Run waitWith(String... env) throws Exception {
        ProcessBuilder pb = GuardianProcess.with(env).waitMode();
        Map<String, String> environment = pb.environment();
        // Both of Guardian's ports are held by someone else for the whole run: a server that tried to listen would
        // fail its start (Quarkus: "Port already bound"), so exit 0 or 3 proves that wait mode listens nowhere.
        try (ServerSocket probes = new ServerSocket(Integer.parseInt(environment.get("GUARDIAN_PORT")));
                ServerSocket management = new ServerSocket(
                        Integer.parseInt(environment.get("GUARDIAN_MANAGEMENT_PORT")))) {
            return run(pb);
        }
    }

    private static Run run(ProcessBuilder pb) throws Exception {
        long start = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        Set<Long> listening = new HashSet<>();
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            listening.addAll(listeningPorts(p.pid()));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS), listening, millis);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** TCP ports the process listens on: its socket inodes matched against /proc/net/tcp{,6} rows in LISTEN (0A). */
    private static Set<Long> listeningPorts(long pid) {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException exited) {
            return Set.of();
        }
        if (inodes.isEmpty()) {
            return Set.of(); // no socket: the machine-wide tables need not be read
        }
        Set<Long> ports = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows;
            try {
                rows = Files.readAllLines(Path.of(table));
            } catch (IOException absent) {
                continue; // no IPv6 here
            }
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Long.parseLong(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    @Test
    void readyDependenciesExitZeroWithTheHealthJson() throws Exception {
        Run run = waitWith("GUARDIAN_POSTGRES_URL", deps.pg().url(PostgresServer.ADMIN, PostgresServer.ADMIN_PASSWORD,
                "postgres"), "GUARDIAN_REDIS_URL", deps.redis().url());
        assertEquals(0, run.exit(), run.stderr());
        Health health = new Health(200, run.stdout());
        assertEquals("UP", health.json().path("status").asText(), run.stdout());
        assertEquals("READY", health.state());
        assertEquals("UP", health.check("postgres").path("status").asText());
        assertEquals("UP", health.check("redis").path("status").asText());
        assertTrue(run.stderr().contains("guardian wait: READY after "), run.stderr());
        assertTrue(run.stderr().lines().anyMatch(l -> l.matches("\\s+postgres\\s+passed\\s+[\\d.]+ ms\\s+127\\.0\\.0\\.1:"
                + deps.pg().port() + "/postgres")), run.stderr());
        assertEquals(Set.of(), run.listening(), "wait mode opens no port");
        assertFalse(run.stdout().contains(PostgresServer.ADMIN_PASSWORD) || run.stderr().contains(
                PostgresServer.ADMIN_PASSWORD), "no secret in the output");
        System.out.println("guardian wait: verdict and exit " + run.millis() + " ms after launch (JVM)");
    }

    @Test
    void aDependencyThatNeverComesExitsThreeWhenTheBudgetRunsOut() throws Exception {
        try (RedisServer never = RedisServer.prepare(null)) {
            Run run = waitWith("GUARDIAN_REDIS_URL", never.url(), "GUARDIAN_STARTUP_BUDGET", "10s");
            assertEquals(3, run.exit(), run.stderr());
            JsonNode json = new Health(503, run.stdout()).json();
            assertEquals("DOWN", json.path("status").asText(), run.stdout());
            assertTrue(run.stderr().contains("guardian wait: FAILED after "), run.stderr());
            assertTrue(run.stderr().lines().anyMatch(l -> l.matches("\\s+redis\\s+failing\\s+.*127\\.0\\.0\\.1:"
                    + never.port() + ": connection refused")), run.stderr());
            assertTrue(run.stderr().contains("startup budget of 10000 ms ran out; unmet: redis (127.0.0.1:"
                    + never.port() + "): connection refused"), run.stderr());
            assertTrue(run.millis() >= 10_000, "not before the budget: " + run.millis() + " ms");
            assertEquals(Set.of(), run.listening(), "wait mode opens no port");
        }
    }

    @Test
    void invalidConfigurationExitsOneBeforeAnythingRuns() throws Exception {
        Run run = waitWith("GUARDIAN_REDIS_URL", deps.redis().url(), "GUARDIAN_REDIS_TIMEOUT", "soon");
        assertEquals(1, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("guardian.redis.timeout (GUARDIAN_REDIS_TIMEOUT) = \"soon\": use a positive "
                + "duration"), run.stderr());
        assertEquals("", run.stdout().trim(), "no JSON when nothing ran");
        assertFalse(run.stderr().contains("state STARTING"), run.stderr());
    }
}
