package dev.guardian.engine;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import jakarta.inject.Singleton;

/**
 * Every secret Guardian was given (passwords, tokens, credentials in URLs). Any text that leaves Guardian
 * (health JSON, logs, metrics, exception messages) passes through {@link #scrub(String)} first, so a driver
 * that echoes a connection string cannot leak it.
 */
@Singleton
public class Secrets {
    public static final String MASK = "***";
    private final Set<String> known = new CopyOnWriteArraySet<>();

    public void register(String secret) {
        // Very short values would mask ordinary words; they are too weak to be real secrets anyway.
        if (secret != null && secret.length() >= 4) {
            known.add(secret);
        }
    }

    /** Replaces a rotating credential (a renewed token), so the set does not grow with every renewal. */
    public void rotate(String previous, String current) {
        if (previous != null) {
            known.remove(previous);
        }
        register(current);
    }

    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : known) {
            out = out.replace(secret, MASK);
        }
        return out;
    }
}
