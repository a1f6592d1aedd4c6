package dev.guardian.edge;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.guardian.testing.EchoBackend;

/**
 * A test class's echo backend, and with {@link #withEdge()} one edge in default settings in front of it, started
 * before the class's tests and closed after them. Register as a static {@code @RegisterExtension} field.
 */
final class EchoWorld implements BeforeAllCallback, AfterAllCallback {
    private final boolean withEdge;
    private EchoBackend backend;
    private RunningEdge edge;

    private EchoWorld(boolean withEdge) {
        this.withEdge = withEdge;
    }

    /** The backend alone: each test opens the edge it needs. */
    static EchoWorld backendOnly() {
        return new EchoWorld(false);
    }

    static EchoWorld withEdge() {
        return new EchoWorld(true);
    }

    EchoBackend backend() {
        return backend;
    }

    RunningEdge edge() {
        if (edge == null) {
            throw new IllegalStateException("this EchoWorld has no edge: use EchoWorld.withEdge()");
        }
        return edge;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        backend = new EchoBackend();
        if (withEdge) {
            edge = RunningEdge.open(new SettingsBuilder(backend.port()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (edge != null) {
            edge.close();
        }
        backend.close();
    }
}
