package dev.guardian.adapters.management;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.ManagementInterface;
import io.quarkus.vertx.http.runtime.options.HttpServerCommonHandlers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The management interface's listener (detailed health JSON, metrics, status page), with a connection cap. Quarkus
 * 3.33 builds the management router but does not apply {@code quarkus.management.limits.max-connections} to its own
 * listener: with the port opened for Prometheus, anyone in the cluster could hold connections until Guardian ran out
 * of file descriptors, and then the public port could accept no probe either. So Quarkus does not listen
 * ({@code quarkus.management.host-enabled=false}) and Guardian serves the same router here, at
 * {@code quarkus.management.host}:{@code quarkus.management.port}, counting every accepted connection. It listens
 * when the public port does ({@code quarkus.http.host-enabled}): wait mode opens neither.
 */
@Singleton
class ManagementServer {
    private static final Logger LOG = Logger.getLogger(ManagementServer.class);
    private static final Duration LISTEN_WITHIN = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;
    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean publicPortListens;
    @ConfigProperty(name = "quarkus.management.host")
    String host;
    @ConfigProperty(name = "quarkus.management.port")
    int port;
    @ConfigProperty(name = "quarkus.management.limits.max-connections")
    int maxConnections;
    @ConfigProperty(name = "quarkus.management.idle-timeout")
    Duration idleTimeout;

    private final AtomicInteger open = new AtomicInteger();
    private volatile Router router;
    private HttpServer server;

    void router(@Observes ManagementInterface management) {
        router = management.router();
    }

    /** Listens before Guardian wires its checks, so that a taken port stops startup like the public port's. */
    void listen(@Observes @Priority(0) StartupEvent event) throws InterruptedException {
        if (!publicPortListens) {
            return;
        }
        if (router == null) {
            throw new IllegalStateException("Quarkus built no management router: quarkus.management.enabled=false?");
        }
        // HTTP/1.1 only: a cleartext server that also accepts HTTP/2 (h2c) sees a connection only after its first
        // bytes, so silent connections would escape the count. Prometheus and people scrape with HTTP/1.1.
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
                .setHttp2ClearTextEnabled(false).setIdleTimeout((int) idleTimeout.toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        // As Quarkus serves a router: each request on a duplicated context, which health and metrics handlers expect.
        server = vertx.createHttpServer(options).connectionHandler(this::admit)
                .requestHandler(HttpServerCommonHandlers.enforceDuplicatedContext(router, true));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(LISTEN_WITHIN.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the management interface cannot listen on " + host + ":" + port + ": "
                    + (e.getCause() == null ? e : e.getCause().getMessage()), e);
        }
        LOG.infof("management interface listening on http://%s:%d (at most %d connections)", host, port,
                maxConnections);
    }

    /** Past the cap a connection is closed at once, as Quarkus does on the public port. */
    private void admit(HttpConnection connection) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            connection.close();
            return;
        }
        connection.closeHandler(v -> open.decrementAndGet());
    }
}
