package dev.guardian.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One health answer: HTTP code and the MicroProfile Health JSON, with accessors for what tests assert. */
public record Health(int code, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** The data of the named entry; a missing node when there is no such entry. */
    public JsonNode check(String name) {
        for (JsonNode c : json().path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    public JsonNode data(String name) {
        return check(name).path("data");
    }

    /** Guardian's state as a public probe answer or any entry of the detailed JSON reports it. */
    public String state() {
        if (json().has("state")) {
            return json().path("state").asText();
        }
        for (JsonNode c : json().path("checks")) {
            if (c.path("data").has("state")) {
                return c.path("data").path("state").asText();
            }
        }
        return null;
    }

    public String reason() {
        for (JsonNode c : json().path("checks")) {
            if (c.path("data").has("reason")) {
                return c.path("data").path("reason").asText();
            }
        }
        return null;
    }
}
