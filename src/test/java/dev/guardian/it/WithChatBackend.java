package dev.guardian.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.guardian.testing.ChatBackend;

/** Test classes that share one real chat backend on loopback. */
abstract class WithChatBackend {
    static ChatBackend backend;

    @BeforeAll
    static void startBackend() {
        backend = new ChatBackend();
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }
}
