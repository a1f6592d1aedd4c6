package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The exchange after the upgrade: an ordered list of steps, each a text frame to send or frames to expect. Written
 * as JSON, e.g.
 *
 * <pre>
 * [{"send": {"type": "ping", "session": "${session}"}},
 *  {"expect": {"type": "pong", "session": "${session}"}, "timeout": "2s"},
 *  {"expectSequence": [{"type": "agent_started"}, {"type": "agent_completed"}]},
 *  {"expectRegex": "^ok"}]
 * </pre>
 *
 * {@code ${session}} and {@code ${token}} are replaced per connection.
 */
record Script(List<Step> steps) {
    static final ObjectMapper JSON = new ObjectMapper();

    /** {@code text} with this connection's {@code ${session}} and, when there is one, {@code ${token}}. */
    static String substitute(String text, String session, String bearer) {
        String out = text.replace("${session}", session);
        return bearer == null ? out : out.replace("${token}", bearer);
    }

    public sealed interface Step permits Send, Expect {
        String describe();
    }

    public record Send(String text) implements Step {
        @Override
        public String describe() {
            return "send " + Frames.shorten(text);
        }
    }

    /** Frames matching {@code sequence} in this order, within {@code timeout} (null: the default step timeout). */
    public record Expect(List<Matcher> sequence, Duration timeout) implements Step {
        @Override
        public String describe() {
            return sequence.size() == 1 ? sequence.get(0).describe()
                    : "the sequence " + String.join(", ", sequence.stream().map(Matcher::describe).toList());
        }
    }

    public sealed interface Matcher permits Fields, Regex {
        boolean matches(String frame, Function<String, String> substitute);

        String describe();
    }

    /** Every field (dotted path for nested objects) equals its value; the frame must be a JSON object. */
    public record Fields(Map<String, String> fields) implements Matcher {
        @Override
        public boolean matches(String frame, Function<String, String> substitute) {
            JsonNode node;
            try {
                node = JSON.readTree(frame);
            } catch (Exception notJson) {
                return false;
            }
            if (node == null || !node.isObject()) {
                return false;
            }
            for (Map.Entry<String, String> f : fields.entrySet()) {
                JsonNode value = node;
                for (String part : f.getKey().split("\\.")) {
                    value = value.path(part);
                }
                if (value.isMissingNode() || value.isContainerNode()
                        || !value.asText().equals(substitute.apply(f.getValue()))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String describe() {
            return JSON.valueToTree(fields).toString();
        }
    }

    /** Matched with a bounded number of character reads: a backtracking pattern cannot hold a worker for long. */
    public record Regex(Pattern pattern) implements Matcher {
        @Override
        public boolean matches(String frame, Function<String, String> substitute) {
            return pattern.matcher(new BudgetedText(frame, new long[] { BudgetedText.READS })).find();
        }

        @Override
        public String describe() {
            return "/" + pattern.pattern() + "/";
        }
    }

    /**
     * Parses the JSON form.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and where
     */
    public static Script parse(String json, Function<String, Duration> durations) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("must be a non-empty JSON array of steps such as "
                    + "[{\"send\": {\"type\": \"ping\"}}, {\"expect\": {\"type\": \"pong\"}}]");
        }
        List<Step> steps = new ArrayList<>();
        int index = 1;
        for (JsonNode step : root) {
            steps.add(step(step, index++, durations));
        }
        return new Script(List.copyOf(steps));
    }

    private static Step step(JsonNode step, int index, Function<String, Duration> durations) {
        String where = "step " + index;
        if (step.has("send")) {
            JsonNode send = step.get("send");
            return new Send(send.isTextual() ? send.asText() : send.toString());
        }
        Duration timeout = null;
        if (step.has("timeout")) {
            timeout = durations.apply(step.get("timeout").asText());
            if (timeout == null) {
                throw new IllegalArgumentException(where + " has timeout \"" + step.get("timeout").asText()
                        + "\"; use a positive duration such as 2s");
            }
        }
        if (step.has("expect")) {
            return new Expect(List.of(matcher(step.get("expect"), where)), timeout);
        }
        if (step.has("expectRegex")) {
            return new Expect(List.of(regex(step.get("expectRegex").asText(), where)), timeout);
        }
        if (step.has("expectSequence") && step.get("expectSequence").isArray() && !step.get("expectSequence").isEmpty()) {
            List<Matcher> sequence = new ArrayList<>();
            for (JsonNode m : step.get("expectSequence")) {
                sequence.add(m.isTextual() ? regex(m.asText(), where) : matcher(m, where));
            }
            return new Expect(List.copyOf(sequence), timeout);
        }
        throw new IllegalArgumentException(where + " needs one of \"send\", \"expect\", \"expectRegex\" or a "
                + "non-empty \"expectSequence\"");
    }

    private static Matcher matcher(JsonNode node, String where) {
        if (!node.isObject() || node.isEmpty()) {
            throw new IllegalArgumentException(where + ": \"expect\" must be a JSON object of fields to match, "
                    + "such as {\"type\": \"pong\"}");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isContainerNode()) {
                throw new IllegalArgumentException(where + ": field \"" + f.getKey()
                        + "\" must be a plain value; use a dotted path (\"data.kind\") for nested fields");
            }
            fields.put(f.getKey(), f.getValue().asText());
        }
        return new Fields(Collections.unmodifiableMap(fields));
    }

    private static Regex regex(String pattern, String where) {
        try {
            return new Regex(Pattern.compile(pattern));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + " has an invalid regular expression: " + e.getDescription());
        }
    }
}
