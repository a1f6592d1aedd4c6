package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.ContainerSandbox;
import dev.guardian.testing.Exec;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.HttpStub;
import dev.guardian.testing.ImageDefinition;
import dev.guardian.testing.KubeletProbe;
import dev.guardian.testing.PodManifest;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.RedisServer;
import dev.guardian.testing.Relay;
import dev.guardian.testing.Requirements;

/**
 * The container contract: Guardian run as the platforms run it, once per deploy manifest, read from the YAML.
 *
 * <p>Applied from the manifest: the environment (each {@code secretKeyRef} replaced by a test value; the dependency
 * URLs, Postgres, Redis, auth and backend, pointed at real local servers, every other variable as written); the
 * user (runAsUser/runAsGroup, or the image's USER when the manifest sets none: Cloud Run) with no supplementary
 * groups and no home directory; allowPrivilegeEscalation: false (no_new_privs) and capabilities drop ALL; a
 * read-only root filesystem with only the manifest's volumes mounted (emptyDir as a fresh tmpfs of its sizeLimit, a
 * ConfigMap's files read-only); the memory limit as a cgroup v1 limit; the probes, sent as the kubelet sends them
 * (fresh connection, the manifest's path, port and timeout) to the container's own address in a network namespace
 * of its own; SIGTERM, then SIGKILL after the platform's grace (Cloud Run: 10 s; Kubernetes: the pod's
 * terminationGracePeriodSeconds). In edge mode also: Cloud Run's {@code $PORT} in the ingress container, the edge's
 * backend URL pointed at the test's backend like the gate's, a chat round trip through the edge on the container's
 * address once READY, and that client closed with 1001 after SIGTERM before Guardian exits. Applied from the image: for the jar, the JVM options that {@code Dockerfile.jvm}
 * gives run-java.sh (GC_CONTAINER_OPTIONS, JAVA_OPTS_APPEND); for a native executable ({@code -Dguardian.binary}),
 * no argument, as {@code Dockerfile.native}'s ENTRYPOINT. A drift in a manifest or a Dockerfile changes the run;
 * {@link #theSuiteCatchesAManifestWithoutItsWritableTmp()} shows one caught.
 *
 * <p>What this cannot prove here: the real container runtime (runc/gVisor: its seccomp profile, PID namespace and
 * PID 1 signal semantics, /dev and /proc as it mounts them) and the image's own files (its passwd, its JDK and
 * run-java.sh's other defaults, glibc of the ubi9 micro image); that Cloud Run's writable in-memory filesystem holds
 * nothing Guardian needs beyond /tmp (it is run here as a read-only root with a tmpfs at /tmp); where Cloud Run's
 * and the kubelet's probes really come from (here: the host end of a veth pair); Cloud Run's CPU allocation and
 * startup CPU boost; Kubernetes' Pod Security admission and the seccompProfile RuntimeDefault; the backend beside
 * Guardian on the pod's loopback (here it is reached through the namespace's veth like the other dependencies).
 * Needs root (namespaces, mounts, cgroups): skipped, with that reason, otherwise.
 */
class ContainerContractIT {
    private static final String PG_PASSWORD = "Contract-Pg-Secret-7c1e";
    private static final String JWT_SECRET = "contract-jwt-secret-0123456789abcdef-5d2a";
    private static final Set<String> DEPENDENCY_URLS = Set.of("GUARDIAN_POSTGRES_URL", "GUARDIAN_REDIS_URL",
            "GUARDIAN_AUTH_URL", "GUARDIAN_BACKEND_URL", "GUARDIAN_EDGE_BACKEND_URL");
    /** Guardian's management interface when GUARDIAN_MANAGEMENT_PORT / _HOST are not set. */
    private static final int DEFAULT_MANAGEMENT_PORT = 9000;
    private static final String DEFAULT_MANAGEMENT_HOST = "127.0.0.1";

    private static PostgresServer postgres;
    private static RedisServer redis;
    private static HttpStub auth;
    private static ChatBackend backend;

    @BeforeAll
    static void dependencies() {
        Assumptions.assumeTrue(Exec.root(), "the container contract needs root: network and mount namespaces, "
                + "a memory cgroup, setpriv to uid 1001");
        Requirements.need("curl", "curl");
        postgres = PostgresServer.started();
        postgres.createUser("chat", PG_PASSWORD, "chat");
        redis = RedisServer.started();
        auth = new HttpStub();
        backend = new ChatBackend();
    }

    @AfterAll
    static void stopDependencies() {
        for (AutoCloseable c : new AutoCloseable[] { backend, auth, redis, postgres }) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still get closed
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "deploy/kubernetes/deployment.yaml", "deploy/cloud-run/service.yaml",
            "deploy/kubernetes/deployment-edge.yaml", "deploy/cloud-run/service-edge.yaml" })
    void startsServesDrainsAndExitsAsTheManifestSays(String manifest) throws Exception {
        System.out.println("container contract, " + manifest + ": " + contract(PodManifest.read(Path.of(manifest))));
    }

    /**
     * The Kubernetes manifest without its /tmp emptyDir: with a read-only root, Vert.x's file cache cannot be
     * created and Guardian exits before its startup probe ever passes. The same contract as above must fail, naming
     * why.
     */
    @Test
    void theSuiteCatchesAManifestWithoutItsWritableTmp() throws Exception {
        Path broken = withoutTmpVolume(Path.of("deploy/kubernetes/deployment.yaml"));
        AssertionError e = assertThrows(AssertionError.class, () -> contract(PodManifest.read(broken)));
        java.util.regex.Matcher cause = java.util.regex.Pattern.compile("[^\"\\n]*Read-only file system")
                .matcher(e.getMessage());
        assertTrue(e.getMessage().startsWith("Guardian exited with code 1 before its startupProbe"), e.getMessage());
        assertTrue(cause.find(), e.getMessage());
        System.out.println("container contract, " + broken + " (no /tmp volume) fails as it must: "
                + e.getMessage().lines().findFirst().orElseThrow() + " ... " + cause.group());
    }

    /** Runs the whole contract for one manifest; returns the figures for the test output. */
    private static String contract(PodManifest m) throws Exception {
        ImageDefinition image = ImageDefinition.forTheRun();
        List<String> report = new ArrayList<>();
        try (ContainerSandbox box = ContainerSandbox.prepare(m, image);
                Relay pg = new Relay(box.network().hostAddress(), postgres.port());
                Relay rd = new Relay(box.network().hostAddress(), redis.port());
                Relay au = new Relay(box.network().hostAddress(), auth.port());
                Relay be = new Relay(box.network().hostAddress(), backend.port())) {
            Map<String, String> env = environment(m, Map.of("GUARDIAN_POSTGRES_URL", pg.address(),
                    "GUARDIAN_REDIS_URL", rd.address(), "GUARDIAN_AUTH_URL", au.address(), "GUARDIAN_BACKEND_URL",
                    be.address(), "GUARDIAN_EDGE_BACKEND_URL", be.address()));
            String address = box.network().address();
            PodManifest.Probe startup = m.probe("startupProbe").orElseGet(() -> m.probes().get(0));
            long closesBefore = backend.closes(1001);
            long launched = System.nanoTime();
            try (GuardianProcess g = box.guardian(env).start()) {
                long pid = g.process().pid();
                // The platform's startup window: a first success within failureThreshold x periodSeconds.
                long firstSuccess = awaitProbe(g, address, startup, Duration.ofMillis(startup.windowMillis()), launched);
                report.add(startup.kind() + " " + startup.path() + " passed after " + firstSuccess + " ms");
                Duration budget = Duration.ofSeconds(30);
                long ready = awaitState(g, address, startup.port(), "/q/health/ready", "READY", budget, launched);
                report.add("READY after " + ready + " ms");
                for (PodManifest.Probe p : m.probes()) {
                    Health h = KubeletProbe.get(address, p.port(), p.path(), Duration.ofSeconds(p.timeoutSeconds()));
                    assertTrue(KubeletProbe.success(h), p.kind() + " " + p.path() + " on " + address + ":" + p.port()
                            + " answered " + h.code() + " " + h.body());
                    assertEquals("READY", h.state(), p.kind() + ": " + h.body());
                }
                report.add(managementInterface(m, env, box, address));
                report.add(processAsTheManifestSays(m, box, pid, env));
                if ("jwt".equals(env.get("GUARDIAN_BACKEND_AUTH_MODE"))) {
                    String authorization = backend.lastAuthorization();
                    assertTrue(authorization != null && authorization.startsWith("Bearer ey"),
                            "the manifest's JWT mode reached the backend: " + authorization);
                }
                EdgeClient chat = null;
                if ("true".equals(env.get("GUARDIAN_EDGE_ENABLED"))) {
                    int edgePort = Integer.parseInt(env.getOrDefault("GUARDIAN_EDGE_PORT",
                            env.getOrDefault("PORT", "8080")));
                    chat = EdgeClient.open(address, edgePort);
                    chat.roundTrip("contract");
                    report.add("edge on " + address + ":" + edgePort + ": a chat round trip passed to the backend");
                }

                report.add(drains(g, m, address, startup.port(), closesBefore, chat));
                box.memory().ifPresent(cg -> {
                    assertEquals(0, Math.max(0, cg.oomKills()), "OOM kills in " + cg);
                    report.add(String.format("memory: at most %.1f MiB charged of the %d MiB limit (cgroup %s)",
                            cg.maxUsage() / 1048576.0, cg.limit() / 1048576, cg));
                });
                for (String secret : List.of(PG_PASSWORD, JWT_SECRET)) {
                    assertFalse(g.output().contains(secret), "a secret in Guardian's output:\n" + g.output());
                }
                report.add("ran " + g.describe());
            }
            if (!box.notes().isEmpty()) {
                report.add("NOTE " + box.notes().strip().replace("\n", "; "));
            }
        }
        return String.join("; ", report);
    }

    /**
     * The manifest's environment and nothing else: a PATH as an image has, no HOME (uid 1001 has no home), each
     * secret replaced by a test value, each dependency URL pointed at the test's server (scheme, credentials, host
     * and port; the path and query stay the manifest's).
     */
    private static Map<String, String> environment(PodManifest m, Map<String, String> relays) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", ContainerSandbox.PATH);
        for (PodManifest.EnvVar v : m.env()) {
            String value;
            if (v.secretRef() != null) {
                value = switch (v.name()) {
                    case "GUARDIAN_POSTGRES_URL" -> "postgresql://chat:" + PG_PASSWORD + "@" + relays.get(v.name())
                            + "/chat";
                    case "GUARDIAN_REDIS_URL" -> "redis://" + relays.get(v.name());
                    case "GUARDIAN_BACKEND_AUTH_JWT_SECRET" -> JWT_SECRET;
                    default -> throw new AssertionError(m + ": " + v.name() + " comes from the secret "
                            + v.secretRef() + ", for which the contract suite has no test value");
                };
            } else if (DEPENDENCY_URLS.contains(v.name())) {
                value = pointedAt(v.name(), v.value(), relays.get(v.name()));
            } else {
                value = v.value();
            }
            env.put(v.name(), value);
        }
        // Cloud Run sets $PORT in the ingress container: here Guardian in edge mode, whose edge listens there.
        m.platformPort().ifPresent(port -> env.put("PORT", port.toString()));
        return env;
    }

    private static String pointedAt(String name, String url, String relay) {
        URI u = URI.create(url);
        String scheme = switch (u.getScheme()) {
            case "https" -> "http";
            case "wss" -> "ws";
            case "rediss" -> "redis";
            default -> u.getScheme();
        };
        String userInfo = name.equals("GUARDIAN_POSTGRES_URL") ? "chat:" + PG_PASSWORD + "@" : "";
        return scheme + "://" + userInfo + relay + (u.getRawPath() == null ? "" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** Polls {@code probe} as the platform would until it passes; returns ms since launch. */
    private static long awaitProbe(GuardianProcess g, String address, PodManifest.Probe probe, Duration window,
            long launched) {
        Duration timeout = Duration.ofSeconds(probe.timeoutSeconds());
        try {
            await().atMost(window).pollInterval(Duration.ofMillis(100)).until(() -> {
                exitedEarly(g, "before its " + probe.kind() + " " + probe.path() + " passed");
                return KubeletProbe.success(KubeletProbe.get(address, probe.port(), probe.path(), timeout));
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Guardian's " + probe.kind() + " " + probe.path() + " on " + address + ":"
                    + probe.port() + " did not pass within the manifest's window of " + window.toMillis() + " ms; "
                    + "last answer: " + KubeletProbe.get(address, probe.port(), probe.path(), timeout) + "\n"
                    + g.output());
        }
        return (System.nanoTime() - launched) / 1_000_000;
    }

    private static void exitedEarly(GuardianProcess g, String when) {
        if (!g.process().isAlive()) {
            int code = g.process().exitValue();
            throw new AssertionError("Guardian exited with code " + code + " " + when
                    + (code == 137 ? " (SIGKILL: the memory limit's OOM killer?)" : "") + ":\n" + tail(g.output(), 40));
        }
    }

    private static long awaitState(GuardianProcess g, String address, int port, String path, String state,
            Duration atMost, long since) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
                exitedEarly(g, "while waiting for " + state);
                Health h = KubeletProbe.get(address, port, path, Duration.ofSeconds(1));
                return h.code() > 0 && state.equals(h.state());
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no state " + state + " on " + address + ":" + port + path + " within " + atMost
                    + "; last answer: " + KubeletProbe.get(address, port, path, Duration.ofSeconds(1)) + "\n"
                    + tail(g.output(), 40));
        }
        return (System.nanoTime() - since) / 1_000_000;
    }

    /**
     * The management interface listens where GUARDIAN_MANAGEMENT_HOST says: reachable on the container's address
     * for 0.0.0.0, otherwise only from inside (curl on the namespace's loopback), never from outside.
     */
    private static String managementInterface(PodManifest m, Map<String, String> env, ContainerSandbox box,
            String address) {
        int port = env.containsKey("GUARDIAN_MANAGEMENT_PORT") ? Integer.parseInt(env.get("GUARDIAN_MANAGEMENT_PORT"))
                : m.namedPort("management").orElse(DEFAULT_MANAGEMENT_PORT);
        String host = env.getOrDefault("GUARDIAN_MANAGEMENT_HOST", DEFAULT_MANAGEMENT_HOST);
        Health outside = KubeletProbe.get(address, port, "/q/metrics", Duration.ofSeconds(2));
        if (host.equals("0.0.0.0") || host.equals(address)) {
            assertEquals(200, outside.code(), "metrics on " + address + ":" + port + ": " + outside.body());
            assertTrue(outside.body().contains("guardian_"), outside.body());
            return "management interface " + host + ":" + port + " reachable on " + address;
        }
        assertEquals(-1, outside.code(), "the management interface on " + host + " must not answer on " + address
                + ":" + port + ": " + outside.body());
        List<String> curl = new ArrayList<>(box.network().exec());
        curl.addAll(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                "http://" + host + ":" + port + "/q/health"));
        assertEquals("200", Exec.run(curl, Map.of()).strip(), "the management interface answers inside the container");
        return "management interface " + host + ":" + port + " answers inside only";
    }

    /** The process as /proc shows it: user, groups, privileges, namespaces, filesystem, cgroup, environment. */
    private static String processAsTheManifestSays(PodManifest m, ContainerSandbox box, long pid,
            Map<String, String> env) throws Exception {
        Map<String, String> status = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int colon = line.indexOf(':');
            status.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        String uid = Long.toString(box.uid());
        String gid = Long.toString(box.gid());
        assertEquals(List.of(uid, uid, uid, uid), List.of(status.get("Uid").split("\\s+")), "Uid " + status);
        assertEquals(List.of(gid, gid, gid, gid), List.of(status.get("Gid").split("\\s+")), "Gid " + status);
        assertEquals("", status.get("Groups"), "no supplementary groups");
        if (m.noNewPrivileges()) {
            assertEquals("1", status.get("NoNewPrivs"), "allowPrivilegeEscalation: false");
        }
        if (m.dropsAllCapabilities()) {
            for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                assertEquals(0, Long.parseLong(status.get(set), 16), set + " with capabilities drop ALL");
            }
        }
        assertFalse(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net"))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net"))), "a network namespace of its own");
        box.memory().ifPresent(cg -> assertTrue(cg.contains(pid), "in the memory cgroup " + cg));

        Map<String, String> mounts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mounts"))) {
            String[] f = line.split(" ");
            mounts.put(f[1], f[2] + " " + f[3]); // the last mount on a path is the one seen
        }
        assertTrue(mounts.get("/").contains(" ro,") || mounts.get("/").endsWith(" ro"), "read-only root: " + mounts);
        for (PodManifest.Mount mount : m.mounts()) {
            String seen = mounts.get(mount.path());
            assertTrue(seen != null, mount.path() + " mounted: " + mounts);
            assertEquals(mount.readOnly(), seen.contains(" ro,") || seen.endsWith(" ro"), mount.path() + ": " + seen);
        }
        Set<String> variables = new java.util.TreeSet<>();
        for (String entry : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ"))).split("\0")) {
            if (!entry.isEmpty()) {
                variables.add(entry.substring(0, entry.indexOf('=')));
            }
        }
        assertEquals(new java.util.TreeSet<>(env.keySet()), variables, "exactly the manifest's environment, no HOME");
        return "as uid " + uid + " gid " + gid + ", groups none, NoNewPrivs " + status.get("NoNewPrivs")
                + ", CapEff " + status.get("CapEff") + ", root " + mounts.get("/").split(",")[0]
                + m.mounts().stream().map(x -> ", " + x.path() + " " + mounts.get(x.path()).split(",")[0])
                        .reduce("", String::concat);
    }

    /**
     * SIGTERM as the platform sends it: readiness answers 503 with DRAINING promptly (within 1 s), the process exits
     * 0 before the platform's SIGKILL, and the backend sees the heartbeat's connection closed with 1001. In edge
     * mode the chat client that is still open through the edge is closed with 1001 before Guardian exits.
     */
    private static String drains(GuardianProcess g, PodManifest m, String address, int port, long closesBefore,
            EdgeClient chat) throws Exception {
        long term = System.nanoTime();
        g.sigterm();
        long draining = awaitState(g, address, port, "/q/health/ready", "DRAINING", Duration.ofSeconds(1), term);
        Health h = KubeletProbe.get(address, port, "/q/health/ready", Duration.ofSeconds(1));
        assertTrue(h.code() == 503 || !g.process().isAlive(), "readiness while draining: " + h);
        int grace = m.terminationGraceSeconds();
        if (!g.process().waitFor(grace, TimeUnit.SECONDS)) {
            g.process().destroyForcibly();
            throw new AssertionError("Guardian still running " + grace + " s after SIGTERM: SIGKILL\n" + g.output());
        }
        long exited = (System.nanoTime() - term) / 1_000_000;
        assertEquals(0, g.awaitExit(Duration.ofSeconds(1)), "exit code after SIGTERM:\n" + tail(g.output(), 40));
        await("the backend saw 1001").atMost(Duration.ofSeconds(5))
                .until(() -> backend.closes(1001) > closesBefore);
        String edge = "";
        if (chat != null) {
            int code = chat.closed.get(1, TimeUnit.SECONDS);
            long closed = (chat.closedNanos - term) / 1_000_000;
            assertEquals(1001, code, "the edge's client close code after SIGTERM");
            assertTrue(closed <= exited, "the client closed after " + closed + " ms, Guardian exited after " + exited);
            edge = ", the chat client through the edge closed with 1001 after " + closed + " ms";
        }
        return "SIGTERM: DRAINING (503) after " + draining + " ms, exit 0 after " + exited + " ms (SIGKILL at "
                + grace + " s), heartbeat closed with 1001" + edge;
    }

    /** A chat client through Guardian's edge: the JDK's WebSocket client, with the backend's subprotocol. */
    private static final class EdgeClient implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        volatile long closedNanos;
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        static EdgeClient open(String host, int port) throws Exception {
            EdgeClient c = new EdgeClient();
            c.ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("chat.v1")
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://" + host + ":" + port + "/ws"), c).get(10, TimeUnit.SECONDS);
            return c;
        }

        /** One chat message out, the five agent events back in order, each for this session. */
        void roundTrip(String session) throws Exception {
            ws.sendText("{\"type\":\"chat\",\"session\":\"" + session + "\"}", true).get(5, TimeUnit.SECONDS);
            ObjectMapper json = new ObjectMapper();
            for (String event : ChatBackend.AGENT_EVENTS) {
                String text = messages.poll(5, TimeUnit.SECONDS);
                assertTrue(text != null, "no " + event + " through the edge within 5 s");
                JsonNode message = json.readTree(text);
                assertEquals(event, message.path("type").asText(), text);
                assertEquals(session, message.path("session").asText(), text);
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedNanos = System.nanoTime();
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedNanos = System.nanoTime();
            closed.completeExceptionally(error);
        }
    }

    /** A copy of the Kubernetes manifest whose Guardian has no /tmp: the volumeMount and the volume removed. */
    private static Path withoutTmpVolume(Path manifest) throws Exception {
        List<JsonNode> docs = PodManifest.documents(manifest);
        for (JsonNode doc : docs) {
            JsonNode pod = doc.path("spec").path("template").path("spec");
            for (JsonNode c : pod.path("containers")) {
                if ("guardian".equals(c.path("name").asText())) {
                    ArrayNode mounts = (ArrayNode) c.path("volumeMounts");
                    for (int i = mounts.size() - 1; i >= 0; i--) {
                        if ("/tmp".equals(mounts.get(i).path("mountPath").asText())) {
                            mounts.remove(i);
                        }
                    }
                    ArrayNode volumes = (ArrayNode) pod.path("volumes");
                    for (int i = volumes.size() - 1; i >= 0; i--) {
                        if ("tmp".equals(volumes.get(i).path("name").asText())) {
                            volumes.remove(i);
                        }
                    }
                }
            }
        }
        Path copy = Path.of("target", "container-contract", "deployment-without-tmp.yaml");
        Files.createDirectories(copy.getParent());
        YAMLMapper yaml = new YAMLMapper();
        StringBuilder out = new StringBuilder();
        for (JsonNode doc : docs) {
            out.append(yaml.writeValueAsString((ObjectNode) doc));
        }
        Files.writeString(copy, out.toString());
        assertFalse(Files.readString(copy).contains("mountPath: \"/tmp\"") || Files.readString(copy)
                .contains("mountPath: /tmp"), "the copy has no /tmp mount");
        return copy;
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
