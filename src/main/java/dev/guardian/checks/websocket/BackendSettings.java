package dev.guardian.checks.websocket;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.guardian.checks.CheckContext;
import dev.guardian.config.Problems;
import dev.guardian.config.Setting;
import dev.guardian.config.Urls;

/** Reads {@code guardian.backend.*} into a {@link Backend}, refusing what is wrong in Guardian's words. */
final class BackendSettings {
    static final String P = "guardian.backend";

    private BackendSettings() {
    }

    /**
     * @param verbatim reads a property without expanding ${...} (scripts and headers carry ${session}, ${token})
     * @return the backend, or null when anything was refused
     */
    static Backend parse(Problems problems, BackendConfig config, Function<String, Optional<String>> verbatim,
            CheckContext context) {
        URI uri = Urls.parse(problems, P + ".url", config.url().get(), "ws://127.0.0.1:8080/ws", "ws", "wss");
        if (uri != null) {
            Urls.userInfo(uri, context.secrets());
            Urls.registerQuery(uri, context.secrets());
        }
        Map<String, String> headers = headers(problems, verbatim.apply(P + ".headers"), context);
        List<String> subprotocols = config.subprotocols().map(v -> List.of(v.split(","))).orElse(List.of()).stream()
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
        Script script = script(problems, config, verbatim);
        Integer sessions = problems.value(P + ".sessions", config.sessions());
        Duration connect = problems.value(P + ".connect-timeout", config.connectTimeout());
        Duration upgrade = problems.value(P + ".upgrade-timeout", config.upgradeTimeout());
        Duration step = problems.value(P + ".step-timeout", config.stepTimeout());
        Duration ping = problems.value(P + ".ping-timeout", config.pingTimeout());
        Duration timeout = config.timeout().value();
        if (timeout != null && connect != null && upgrade != null && timeout.compareTo(connect.plus(upgrade)) < 0) {
            problems.refuse(P + ".timeout", Setting.human(timeout), "must be at least " + P + ".connect-timeout + "
                    + P + ".upgrade-timeout = " + Setting.human(connect.plus(upgrade)));
        }
        // A token is part of opening a connection: the identity provider gets what the upgrade gets.
        TokenSources.Auth auth = TokenSources.parse(problems, config.auth(), context,
                connect == null || upgrade == null ? null : connect.plus(upgrade));
        if (uri == null || headers == null || sessions == null || connect == null || upgrade == null || step == null
                || ping == null || auth == null) {
            return null;
        }
        return new Backend(uri, Urls.display(uri), headers, subprotocols, script, sessions, connect, upgrade, step,
                ping, auth.tokens(), auth.queryParam());
    }

    /** {@code Name: value} pairs separated by ';'; values are often credentials and become secrets. */
    private static Map<String, String> headers(Problems problems, Optional<String> raw, CheckContext context) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String entry : raw.map(v -> v.split(";")).orElse(new String[0])) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                // Without a colon the entry may be a credential ("Authorization Bearer ..."): never echo it.
                problems.refuse(P + ".headers", null, (colon < 0 ? "an entry has no ':'"
                        : "entry \"" + name + "\" is not a header name") + "; write Name: value pairs separated by ;");
                return null;
            }
            String value = entry.substring(colon + 1).trim();
            context.secrets().register(value);
            headers.put(name, value);
        }
        return headers;
    }

    private static Script script(Problems problems, BackendConfig config, Function<String, Optional<String>> verbatim) {
        Optional<String> inline = verbatim.apply(P + ".script");
        if (inline.isPresent() && config.scriptFile().isPresent()) {
            problems.refuse(P + ".script", null, "set either " + P + ".script or " + P + ".script-file, not both");
            return null;
        }
        String property = inline.isPresent() ? P + ".script" : P + ".script-file";
        String json;
        if (inline.isPresent()) {
            json = inline.get();
        } else if (config.scriptFile().isPresent()) {
            try {
                json = Files.readString(Path.of(config.scriptFile().get().trim()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                problems.refuse(property, config.scriptFile().get(), "cannot be read (" + e.getMessage() + ")");
                return null;
            }
        } else {
            return null;
        }
        try {
            return Script.parse(json, v -> Setting.duration(v).value());
        } catch (IllegalArgumentException e) {
            problems.refuse(property, null, e.getMessage());
            return null;
        }
    }
}
