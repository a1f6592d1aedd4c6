package dev.guardian.adapters.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.guardian.engine.Attempt;
import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.Engine;
import dev.guardian.engine.Verdict;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;

/**
 * A page for people, on the management interface beside the detailed JSON: the state and since when, each check with
 * its last attempts, the recent transitions, the heartbeat's round-trip time, refreshed every second by a little
 * JavaScript that reads {@code /q/status/data}. Static HTML, no framework, no external resource.
 */
@Singleton
class StatusPage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

    @Inject
    Engine engine;
    @Inject
    StatusHistory history;

    private final String html = page();
    /** The page runs nothing but its own inline script (allowed by its hash) and talks to nobody but Guardian. */
    private final String policy = "default-src 'none'; script-src " + scriptHashes(html) + "; style-src "
            + "'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    void routes(@Observes ManagementInterface management) {
        management.router().get("/q/status/data").handler(this::data);
        management.router().get("/q/status").handler(this::page);
    }

    private void page(RoutingContext rc) {
        if (rc.request().path().endsWith("/")) {
            rc.redirect("../status"); // with a trailing slash the page's relative data URL would miss
            return;
        }
        rc.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
                .putHeader("Content-Security-Policy", policy).putHeader("X-Content-Type-Options", "nosniff").end(html);
    }

    private void data(RoutingContext rc) {
        rc.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(status(engine.verdict()).toString());
    }

    private ObjectNode status(Verdict v) {
        ObjectNode out = JSON.createObjectNode();
        out.put("state", v.state().name());
        out.put("since", v.since().toString());
        out.put("now", Instant.now().toString());
        out.put("reason", v.reason());
        out.put("elapsed_ms", v.elapsed().toMillis());
        out.put("startup_budget_ms", v.budget().toMillis());
        if (v.startupDuration() != null) {
            out.put("startup_duration_ms", v.startupDuration().toMillis());
        }
        ArrayNode checks = out.putArray("checks");
        for (CheckSnapshot s : v.checks()) {
            checks.add(check(s));
        }
        ArrayNode transitions = out.putArray("transitions");
        for (StatusHistory.Transition t : history.transitions()) {
            transitions.addObject().put("at", t.at().toString()).put("from", t.from().name()).put("to", t.to().name())
                    .put("reason", t.reason());
        }
        putAll(out.putObject("facts"), v.facts());
        return out;
    }

    private ObjectNode check(CheckSnapshot s) {
        ObjectNode c = JSON.createObjectNode().put("name", s.name()).put("kind", s.kind()).put("role", s.role().id())
                .put("target", s.target()).put("status", s.healthy() ? "UP" : "DOWN").put("attempts", s.attempts())
                .put("consecutive_failures", s.consecutiveFailures())
                .put("consecutive_successes", s.consecutiveSuccesses());
        if (s.lastFinished() != null) {
            c.put("last_attempt_age_ms", Math.max(0, Instant.now().toEpochMilli() - s.lastFinished().toEpochMilli()));
        }
        if (s.attempted()) {
            c.put("last_attempt", s.lastAttemptOk() ? "success" : "failure");
        }
        if (s.lastError() != null) {
            c.put("last_error", s.lastError());
        }
        if (s.lastFailure() != null) {
            c.put("last_failure", s.lastFailure().toString());
        }
        putAll(c.putObject("details"), s.details());
        ArrayNode recent = c.putArray("recent");
        for (Attempt a : history.attempts(s.name())) {
            ObjectNode r = recent.addObject().put("at", a.at().toString()).put("latency_us", a.durationNanos() / 1_000)
                    .put("outcome", a.outcome());
            if (a.error() != null) {
                r.put("reason", a.error());
            }
        }
        return c;
    }

    /** In name order: the engine's maps have none, and a page whose rows move between refreshes is hard to read. */
    private static void putAll(ObjectNode node, Map<String, Object> data) {
        new TreeMap<>(data).forEach((k, v) -> {
            if (v instanceof Long l) {
                node.put(k, l);
            } else if (v instanceof Boolean b) {
                node.put(k, b);
            } else {
                node.put(k, String.valueOf(v));
            }
        });
    }

    private static String scriptHashes(String page) {
        StringBuilder hashes = new StringBuilder();
        Matcher m = SCRIPT.matcher(page);
        while (m.find()) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
                hashes.append(hashes.length() == 0 ? "" : " ").append("'sha256-")
                        .append(Base64.getEncoder().encodeToString(digest)).append('\'');
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return hashes.length() == 0 ? "'none'" : hashes.toString();
    }

    private static String page() {
        try (InputStream in = StatusPage.class.getResourceAsStream("/guardian/status.html")) {
            return in == null ? "status page missing from the build" : new String(in.readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
