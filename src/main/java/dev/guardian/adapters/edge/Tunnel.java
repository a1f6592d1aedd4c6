package dev.guardian.adapters.edge;

import dev.guardian.netty.Cumulation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.impl.WebSocketInternal;

/**
 * One proxied WebSocket: the client's leg and the backend's leg, both on one event loop, so nothing here is shared
 * between threads.
 * <p>
 * Frames: text, binary and continuation frames are passed as received (same type, same FIN bit, same payload), so
 * fragmentation survives. Pings and pongs are per hop: Vert.x answers each leg's pings itself (the backend's pings
 * on the upstream leg are answered there, a client's pings by the edge), and the edge sends its own pings to the
 * client. A close frame on one leg is passed to the other with its code and reason (see {@link CloseCodes} for the
 * codes that may not be sent); Vert.x answers the closing peer's close frame at once.
 * <p>
 * Backpressure: when one peer's write queue is full (or the loop holds more than its share of max-buffered, see
 * {@link Buffered}) the other leg's TCP connection stops being read until it drains. The leg is paused at the socket
 * (Netty's auto-read), not with Vert.x's pause(), which would go on reading up to 16 frames into memory: a slow
 * receiver costs at most {@link EdgeLimits#WRITE_QUEUE_BYTES} plus the last read, and a frame its sender is part-way
 * through (at most max-frame-size).
 * <p>
 * Close ordering: the close handler of a leg fires before the frames read ahead of its close frame are delivered; the
 * close frame itself arrives through the frame handler in order, after them, and that is where it is passed on. The
 * close handler only acts on a leg lost without a close frame.
 */
final class Tunnel {
    private static final Buffer EMPTY = Buffer.buffer();

    private ServerWebSocket client;
    private final WebSocket backend;
    private final EdgeRuntime edge;
    private final Tunnels home;
    private final Runnable onFinished;
    private final FrameCounters counters;
    final long openedNanos;
    long lastActivityNanos;
    /** When the outstanding ping was sent; 0 when none is outstanding. */
    private long pingSentNanos;
    /** When a scheduled close (rotation, then drain) is due. */
    long closeAtNanos = Long.MAX_VALUE;
    CloseCause scheduled;
    /** When closing started; 0 while open. */
    private long closingSinceNanos;
    private CloseCause cause;
    private int causeCode;
    private boolean clientClosed;
    private boolean backendClosed;
    /** Client to backend, and back. */
    private Flow toBackend;
    private Flow toClient;
    private boolean toClientMidMessage;
    private long messageToBackend;
    private long messageToClient;
    private boolean finished;
    /** Why a leg failed (a protocol violation, a frame over the limit), as Vert.x reported it before closing it. */
    private Throwable clientFailure;
    private Throwable backendFailure;
    /** The intrusive list of {@link Tunnels}. */
    Tunnel prev;
    Tunnel next;

    Tunnel(WebSocket backend, EdgeRuntime edge, Tunnels home, Runnable onFinished) {
        this.backend = backend;
        this.edge = edge;
        this.home = home;
        this.onFinished = onFinished;
        this.openedNanos = System.nanoTime();
        this.counters = home.counters;
        this.lastActivityNanos = openedNanos;
        EdgeSettings s = edge.settings;
        if (s.maxLifetime() != null) {
            closeAtNanos = openedNanos + Rotation.delayNanos(s);
            scheduled = CloseCause.ROTATION;
        }
    }

    /**
     * Right after the backend accepted: its handlers are set at once (Vert.x refuses handlers on a closed WebSocket,
     * and the backend may close before the client's handshake is done). Its leg stays paused until {@link #attach}.
     */
    void watchBackend() {
        backend.setWriteQueueMaxSize(EdgeLimits.WRITE_QUEUE_BYTES);
        Flushes.consolidate(backend);
        Cumulation.sized(backend);
        backend.frameHandler(this::fromBackend);
        backend.exceptionHandler(failure -> {
            if (backendFailure == null && Violations.explains(failure)) {
                backendFailure = failure;
            }
        });
        backend.closeHandler(v -> backendLegClosed());
        backend.drainHandler(v -> {
            if (toBackend != null) {
                toBackend.drained();
            }
        });
    }

    /** The client's handshake is done: wire its leg and let the backend's frames flow. */
    void attach(ServerWebSocket clientLeg) {
        this.client = clientLeg;
        home.add(this);
        toBackend = new LegFlow(home.buffered, client);
        toClient = new LegFlow(home.buffered, backend);
        if (edge.draining) {
            // Its upgrade passed the gate just before the drain began: it closes at the next sweep.
            closeAtNanos = home.now;
            scheduled = CloseCause.DRAIN;
        }
        if (client.isClosed()) {
            clientLegClosed();
        } else {
            client.setWriteQueueMaxSize(EdgeLimits.WRITE_QUEUE_BYTES);
            Flushes.consolidate(client);
            Cumulation.sized(client);
            client.frameHandler(this::fromClient);
            // Pongs are seen here at once, even while the client's frames wait on a paused leg.
            client.pongHandler(payload -> {
                pingSentNanos = 0;
                lastActivityNanos = home.now;
            });
            client.exceptionHandler(failure -> {
                if (clientFailure == null && Violations.explains(failure)) {
                    clientFailure = failure;
                }
            });
            client.closeHandler(v -> clientLegClosed());
            client.drainHandler(v -> toClient.drained());
        }
        if (backendClosed && cause == null && backend.closeStatusCode() == null) {
            backendLost();
        }
        backend.resume();
    }

    /** The client's handshake failed (it left meanwhile): the backend learns its client is gone. */
    void abandon() {
        closeLeg(backend, backendClosed, CloseCodes.GOING_AWAY, "client connection lost");
    }

    private void fromClient(WebSocketFrame frame) {
        switch (frame.type()) {
            case TEXT, BINARY, CONTINUATION -> {
                lastActivityNanos = home.now;
                if (cause != null || backendClosed) {
                    return;
                }
                int n = frame.binaryData().length();
                messageToBackend = frame.isContinuation() ? messageToBackend + n : n;
                if (messageToBackend > edge.settings.maxMessageSize()) {
                    closeByEdge(CloseCause.LIMIT, CloseCodes.TOO_BIG, "message over "
                            + edge.settings.maxMessageSize() + " bytes", "client sent a message over the size limit");
                    return;
                }
                counters.frame(EdgeMetrics.Direction.TO_BACKEND, n, frame.isFinal());
                toBackend.wrote(n, backend.writeFrame(frame), !backend.isClosed() && backend.writeQueueFull());
            }
            case CLOSE -> {
                if (cause == null) {
                    int code = closeCode(frame);
                    ending(CloseCause.CLIENT, code);
                    closeLeg(backend, backendClosed, CloseCodes.towardsBackend(code),
                            code == CloseCodes.NO_STATUS ? null : frame.closeReason());
                }
                maybeFinished();
            }
            default -> lastActivityNanos = home.now;
        }
    }

    private void fromBackend(WebSocketFrame frame) {
        switch (frame.type()) {
            case TEXT, BINARY, CONTINUATION -> {
                if (cause != null || clientClosed) {
                    return;
                }
                lastActivityNanos = home.now;
                int n = frame.binaryData().length();
                messageToClient = frame.isContinuation() ? messageToClient + n : n;
                if (messageToClient > edge.settings.maxMessageSize()) {
                    ending(CloseCause.LIMIT, CloseCodes.INTERNAL_ERROR);
                    closeLeg(client, clientClosed, CloseCodes.INTERNAL_ERROR, "backend sent a message over the limit");
                    closeLeg(backend, backendClosed, CloseCodes.TOO_BIG,
                            "message over " + edge.settings.maxMessageSize() + " bytes");
                    return;
                }
                counters.frame(EdgeMetrics.Direction.TO_CLIENT, n, frame.isFinal());
                toClientMidMessage = !frame.isFinal();
                toClient.wrote(n, client.writeFrame(frame), !client.isClosed() && client.writeQueueFull());
            }
            case CLOSE -> {
                if (cause == null) {
                    int code = closeCode(frame);
                    ending(CloseCause.BACKEND, code);
                    closeLeg(client, clientClosed, CloseCodes.towardsClient(code),
                            code == CloseCodes.NO_STATUS ? null : frame.closeReason());
                }
                maybeFinished();
            }
            default -> {
                // the backend's pings were answered by Vert.x; they are not passed to the client (per hop)
            }
        }
    }

    private void clientLegClosed() {
        clientClosed = true;
        if (cause == null) {
            if (client.closeStatusCode() != null) {
                // A close frame came: it is delivered to fromClient after the frames read before it.
                client.resume();
            } else {
                int code = Violations.code(clientFailure);
                ending(code == CloseCodes.TOO_BIG ? CloseCause.LIMIT : CloseCause.CLIENT, code);
                closeLeg(backend, backendClosed, CloseCodes.GOING_AWAY, clientFailure == null
                        ? "client connection lost" : Violations.reason("client", clientFailure));
            }
        }
        maybeFinished();
    }

    private void backendLegClosed() {
        backendClosed = true;
        if (client == null) {
            return; // attach() passes it on
        }
        if (cause == null) {
            if (backend.closeStatusCode() != null) {
                backend.resume();
            } else {
                backendLost();
            }
        }
        maybeFinished();
    }

    private void backendLost() {
        int code = Violations.code(backendFailure);
        ending(code == CloseCodes.TOO_BIG ? CloseCause.LIMIT : CloseCause.BACKEND, code);
        closeLeg(client, clientClosed, CloseCodes.INTERNAL_ERROR, backendFailure == null
                ? "backend connection lost" : Violations.reason("backend", backendFailure));
    }

    /** Closes both legs for a reason of the edge's own: the client with {@code code}, the backend with 1001. */
    void closeByEdge(CloseCause why, int code, String clientReason, String backendReason) {
        if (cause != null) {
            return;
        }
        ending(why, code);
        closeLeg(client, clientClosed, code, clientReason);
        closeLeg(backend, backendClosed, CloseCodes.GOING_AWAY, backendReason);
    }

    /**
     * The sweep's visit: a due rotation or drain close, a pong overdue, a ping due, or a close that hangs.
     */
    void tick(long now) {
        EdgeSettings s = edge.settings;
        if (closingSinceNanos != 0) {
            if (now - closingSinceNanos > EdgeLimits.DRAIN_GRACE.toNanos()) {
                cut();
            }
            return;
        }
        if (now >= closeAtNanos) {
            if (scheduled == CloseCause.DRAIN) {
                closeByEdge(CloseCause.DRAIN, CloseCodes.GOING_AWAY, "server shutting down, reconnect",
                        "edge draining");
            } else {
                closeByEdge(CloseCause.ROTATION, s.rotationCode(), s.rotationReason(),
                        "client connection rotated before the lifetime cap");
            }
            return;
        }
        if (toBackend.paused()) {
            // The client is sending faster than the backend reads: busy, not quiet, and its pongs wait unread.
            lastActivityNanos = now;
            pingSentNanos = 0;
            return;
        }
        if (pingSentNanos != 0) {
            if (now - pingSentNanos >= s.pongTimeout().toNanos()) {
                edge.metrics.missedPong();
                closeByEdge(CloseCause.PONG_TIMEOUT, CloseCodes.INTERNAL_ERROR, "keepalive ping timeout",
                        "client did not answer a keepalive ping");
            }
            return;
        }
        if (now - lastActivityNanos >= s.clientPingInterval().toNanos()) {
            ping(now);
        }
    }

    private void ping(long now) {
        pingSentNanos = now;
        lastActivityNanos = now;
        client.writePing(EMPTY);
        // A data frame may not interrupt a fragmented message; the ping alone is sent then.
        if (edge.settings.keepaliveMessage() != null && !toClientMidMessage) {
            client.writeTextMessage(edge.settings.keepaliveMessage());
        }
        edge.metrics.ping();
    }

    /** A close handshake that did not finish in time: both TCP connections are closed without waiting further. */
    void cut() {
        hardClose(client);
        hardClose(backend);
        if (cause == null) {
            ending(CloseCause.CLIENT, CloseCodes.ABNORMAL);
        }
        clientClosed = true;
        backendClosed = true;
        maybeFinished();
    }

    private void ending(CloseCause why, int code) {
        cause = why;
        causeCode = code;
        closingSinceNanos = System.nanoTime();
        // Nothing is passed on from here: both legs are read (what comes is dropped) so their close frames are seen.
        if (toBackend != null) {
            toBackend.end();
            toClient.end();
        }
    }

    private static void closeLeg(WebSocketBase leg, boolean alreadyClosed, int code, String reason) {
        if (!alreadyClosed && !leg.isClosed()) {
            leg.close((short) code, reason);
        }
    }

    /** The code of a received close frame; 1005 when it carried none (Vert.x reads that as 1000). */
    private static int closeCode(WebSocketFrame frame) {
        return frame.binaryData().length() < 2 ? CloseCodes.NO_STATUS : frame.closeStatusCode();
    }

    private static void hardClose(WebSocketBase leg) {
        if (leg instanceof WebSocketInternal internal) {
            internal.channelHandlerContext().close();
        }
    }

    private void maybeFinished() {
        if (finished || cause == null || !clientClosed || !backendClosed) {
            return;
        }
        finished = true;
        home.remove(this);
        edge.metrics.closed(cause, causeCode, System.nanoTime() - openedNanos);
        onFinished.run();
    }

    boolean closing() {
        return closingSinceNanos != 0;
    }

    /** A direction whose sender is a WebSocket leg, paused at its socket. */
    private static final class LegFlow extends Flow {
        private final WebSocketBase sender;

        LegFlow(Buffered buffered, WebSocketBase sender) {
            super(buffered);
            this.sender = sender;
        }

        @Override
        protected void read(boolean on) {
            if (sender instanceof WebSocketInternal internal) {
                internal.channelHandlerContext().channel().config().setAutoRead(on);
            }
        }
    }
}
