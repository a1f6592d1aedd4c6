package dev.guardian.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * A real WebSocket chat backend on loopback that the test switches between healthy and each way the incident's
 * backend misbehaved. Protocol when healthy: {"type":"ping","session":S} → {"type":"pong","session":S};
 * {"type":"chat","session":S} → the five agent events, in order, each carrying S.
 */
public final class ChatBackend implements AutoCloseable {
    public static final List<String> AGENT_EVENTS = List.of("agent_started", "agent_thinking", "tool_executing",
            "tool_completed", "agent_completed");

    public enum Mode {
        /** Answers pings and chats correctly. */
        HEALTHY,
        /** Sends before accepting: the upgrade answers 500 (incident failure 1). */
        ERROR_500_BEFORE_ACCEPT,
        /** Rejects the upgrade with 403. */
        REJECT_403,
        /** Accepts, then closes with 1011 because its handler could not be built (failure 2). */
        CLOSE_1011,
        /** Accepts the TCP connection and never answers the upgrade. */
        NO_UPGRADE_ANSWER,
        /** Upgrades, reads, never sends anything back (failure 5). */
        SILENT,
        /**
         * Upgrades, then stops reading: paused from the upgrade on, no message reaches a handler and none is
         * answered. (Vert.x still answers pings by itself: {@link PonglessBackend} withholds those.)
         */
        STOP_READING,
        /** Sends the agent events with two of them swapped. */
        OUT_OF_ORDER,
        /** Routes each reply to another client's connection. */
        CROSS_SESSION,
        /**
         * Pairs pings in the order they arrive: holds the first, and at the second sends the first its own pong
         * followed by the second's, which gets nothing. The misrouted reply lands on a connection whose session has
         * just passed.
         */
        LEAK_TO_ANSWERED,
        /** Answers every message with a 2 MiB text message. */
        HUGE_MESSAGE,
        /** Answers with a text frame that is not valid UTF-8. */
        INVALID_UTF8,
        /** Answers with binary garbage only. */
        BINARY_GARBAGE,
        /** Answers with 5,000 unsolicited frames and never the expected one. */
        FLOOD,
        /** Answers with fragments that never end. */
        ENDLESS_FRAGMENTS,
        /**
         * After the upgrade, 60 KB text frames without end, as fast as the client reads them (the write queue is
         * respected). It reads nothing meanwhile, a backend too busy streaming: pings go unanswered.
         */
        STREAM_FRAMES,
        /**
         * Answers any message with one message of {@link #REGEX_BAIT_CHARS} characters, no 'x' among them: a
         * {@code .*}-led pattern such as {@code .*x.*y.*z} backtracks quadratically on it. Sent in fragments of
         * 60,000 characters so that a 64 KiB frame limit cannot refuse it before matching starts.
         */
        HUGE_REGEX_BAIT,
        /** Answers a ping message with the expected pong, padded in one text frame of {@link #BIG_PONG_BYTES}. */
        BIG_PONG
    }

    public static final int STREAM_FRAME_BYTES = 60_000;
    public static final int REGEX_BAIT_CHARS = 300_000;
    public static final int BIG_PONG_BYTES = 1_000_000;

    private final Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setBlockedThreadCheckInterval(60_000));
    private HttpServer server;
    private int port;
    private final java.util.concurrent.atomic.AtomicLong keepalives = new java.util.concurrent.atomic.AtomicLong();
    private volatile Mode mode = Mode.HEALTHY;
    private volatile Predicate<String> authorization = header -> true;
    private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
    private final AtomicReference<String> lastProbeHeader = new AtomicReference<>();
    private final AtomicReference<String> lastSubprotocol = new AtomicReference<>();
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<ServerWebSocket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Long> pingArrivals = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong normalCloses = new AtomicLong();
    private final AtomicLong upgrades = new AtomicLong();
    private final AtomicLong textMessages = new AtomicLong();
    private final java.util.Map<Integer, AtomicLong> closeCodes = new ConcurrentHashMap<>();
    /** {@link Mode#LEAK_TO_ANSWERED}: the connection whose ping waits for a second one, and its session. */
    private ServerWebSocket heldSocket;
    private String heldSession;

    public ChatBackend() {
        listen(0);
    }

    private void listen(int onPort) {
        server = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(List.of("chat.v1")))
                .connectionHandler(conn -> {
                    connections.add(conn);
                    conn.closeHandler(v -> connections.remove(conn));
                }).requestHandler(this::handle);
        Listen.await(server.listen(onPort, "127.0.0.1"));
        port = server.actualPort();
    }

    /**
     * Stops the server (every connection closes), then listens again on the same port, retrying while the kernel
     * still holds it for a moment.
     */
    public void restart() {
        Listen.await(server.close());
        org.awaitility.Awaitility.await("listening again on " + port).atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(50)).ignoreException(IllegalStateException.class)
                .until(() -> {
                    listen(port);
                    return true;
                });
    }

    /** Text frames {"type":"keepalive"} received, Guardian's application-level keepalive. */
    public long keepalives() {
        return keepalives.get();
    }

    private void handle(HttpServerRequest req) {
        lastAuthorization.set(req.getHeader("Authorization"));
        lastProbeHeader.set(req.getHeader("X-Probe"));
        lastSubprotocol.set(req.getHeader("Sec-WebSocket-Protocol"));
        if (!authorization.test(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).end("bad token");
            return;
        }
        switch (mode) {
            case ERROR_500_BEFORE_ACCEPT -> req.response().setStatusCode(500)
                    .end("WebSocket is not connected. Need to call \"accept\" first.");
            case REJECT_403 -> req.response().setStatusCode(403).end("forbidden");
            case NO_UPGRADE_ANSWER -> {
                // never answer
            }
            default -> {
                HttpConnection connection = req.connection();
                req.toWebSocket().onSuccess(ws -> accepted(ws, connection));
            }
        }
    }

    private void accepted(ServerWebSocket ws, HttpConnection connection) {
        upgrades.incrementAndGet();
        ws.frameHandler(frame -> {
            if (frame.isPing()) {
                pingArrivals.add(System.nanoTime());
            } else if (frame.isText()) {
                textMessages.incrementAndGet();
            }
        });
        ws.exceptionHandler(e -> {
            // a client that went away mid-stream
        });
        sockets.add(ws);
        ws.closeHandler(v -> {
            sockets.remove(ws);
            if (ws.closeStatusCode() != null) {
                closeCodes.computeIfAbsent((int) ws.closeStatusCode(), c -> new AtomicLong()).incrementAndGet();
                if (ws.closeStatusCode() == 1000) {
                    normalCloses.incrementAndGet();
                }
            }
        });
        switch (mode) {
            case CLOSE_1011 -> ws.close((short) 1011, "handler could not be built");
            case STOP_READING -> ws.pause();
            case SILENT -> ws.textMessageHandler(text -> {
            });
            case HUGE_MESSAGE -> ws.textMessageHandler(text -> ws.writeTextMessage("x".repeat(2 * 1024 * 1024)));
            case INVALID_UTF8 -> ws.textMessageHandler(text -> ws.writeFrame(new io.vertx.core.http.impl.ws
                    .WebSocketFrameImpl(io.vertx.core.http.WebSocketFrameType.TEXT,
                            new byte[] { '{', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '}' }, true)));
            case BINARY_GARBAGE -> ws.textMessageHandler(text -> ws.writeBinaryMessage(
                    io.vertx.core.buffer.Buffer.buffer(new byte[] { 0, (byte) 0xFF, 7, (byte) 0x80, 42 })));
            case FLOOD -> ws.textMessageHandler(text -> {
                for (int i = 0; i < 5_000; i++) {
                    ws.writeTextMessage("{\"type\":\"noise\",\"n\":" + i + "}");
                }
            });
            case ENDLESS_FRAGMENTS -> ws.textMessageHandler(text -> {
                ws.writeFrame(io.vertx.core.http.WebSocketFrame.textFrame("start-", false));
                vertx.setPeriodic(1, id -> {
                    if (ws.isClosed()) {
                        vertx.cancelTimer(id);
                    } else {
                        ws.writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(
                                io.vertx.core.buffer.Buffer.buffer("y".repeat(16 * 1024)), false));
                    }
                });
            });
            case STREAM_FRAMES -> {
                // Stop reading at the TCP level: Vert.x answers pings by itself as soon as it reads them.
                ((io.vertx.core.net.impl.ConnectionBase) connection).channel().config().setAutoRead(false);
                stream(ws);
            }
            case HUGE_REGEX_BAIT -> ws.textMessageHandler(text -> sendInFragments(ws, "a".repeat(REGEX_BAIT_CHARS)));
            default -> ws.textMessageHandler(text -> reply(ws, text));
        }
    }

    private static final String STREAM_FRAME = streamFrame();

    private static String streamFrame() {
        String head = "{\"type\":\"stream\",\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(STREAM_FRAME_BYTES - head.length() - tail.length()) + tail;
    }

    /** Writes frames while the write queue has room, and again each time it drains. */
    private static void stream(ServerWebSocket ws) {
        while (!ws.isClosed() && !ws.writeQueueFull()) {
            ws.writeFinalTextFrame(STREAM_FRAME);
        }
        if (!ws.isClosed()) {
            ws.drainHandler(v -> stream(ws));
        }
    }

    private static void sendInFragments(ServerWebSocket ws, String message) {
        int size = 60_000;
        for (int at = 0; at < message.length(); at += size) {
            String part = message.substring(at, Math.min(message.length(), at + size));
            boolean last = at + size >= message.length();
            ws.writeFrame(at == 0 ? io.vertx.core.http.WebSocketFrame.textFrame(part, last)
                    : io.vertx.core.http.WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(part),
                            last));
        }
    }

    /** The pong the ping script expects, padded to exactly {@code bytes}, in a single frame. */
    private static void bigPong(ServerWebSocket to, String session, int bytes) {
        String head = new JsonObject().put("type", "pong").put("session", session).encode();
        String open = head.substring(0, head.length() - 1) + ",\"pad\":\"";
        String close = "\"}";
        String text = open + "x".repeat(bytes - open.length() - close.length()) + close;
        to.writeFrame(io.vertx.core.http.WebSocketFrame.textFrame(text, true));
    }

    private void reply(ServerWebSocket from, String text) {
        JsonObject in;
        try {
            in = new JsonObject(text);
        } catch (RuntimeException notJson) {
            from.writeTextMessage("{\"type\":\"error\",\"detail\":\"not json\"}");
            return;
        }
        String session = in.getString("session", "");
        if ("keepalive".equals(in.getString("type"))) {
            keepalives.incrementAndGet();
            return;
        }
        if (mode == Mode.LEAK_TO_ANSWERED && "ping".equals(in.getString("type"))) {
            pairPings(from, session);
            return;
        }
        ServerWebSocket to = from;
        if (mode == Mode.CROSS_SESSION) {
            to = sockets.stream().filter(s -> s != from && !s.isClosed()).findAny().orElse(from);
        }
        switch (in.getString("type", "")) {
            case "ping" -> {
                if (mode == Mode.BIG_PONG) {
                    bigPong(to, session, BIG_PONG_BYTES);
                    return;
                }
                to.writeTextMessage(new JsonObject().put("type", "pong").put("session", session).encode());
            }
            case "chat" -> {
                List<String> events = new ArrayList<>(AGENT_EVENTS);
                if (mode == Mode.OUT_OF_ORDER) {
                    events.set(1, AGENT_EVENTS.get(2));
                    events.set(2, AGENT_EVENTS.get(1));
                }
                for (String event : events) {
                    to.writeTextMessage(new JsonObject().put("type", event).put("session", session).encode());
                }
            }
            default -> to.writeTextMessage(new JsonObject().put("type", "unknown").encode());
        }
    }

    private void pairPings(ServerWebSocket from, String session) {
        ServerWebSocket first;
        String firstSession;
        synchronized (this) {
            if (heldSocket == null || heldSocket.isClosed()) {
                heldSocket = from;
                heldSession = session;
                return;
            }
            first = heldSocket;
            firstSession = heldSession;
            heldSocket = null;
        }
        first.writeTextMessage(new JsonObject().put("type", "pong").put("session", firstSession).encode());
        first.writeTextMessage(new JsonObject().put("type", "pong").put("session", session).encode());
    }

    public String url(String path) {
        return "ws://127.0.0.1:" + port + path;
    }

    public int port() {
        return port;
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Upgrades whose Authorization header fails {@code check} are refused with 401; null accepts all. */
    public void requireAuthorization(Predicate<String> check) {
        authorization = check == null ? header -> true : check;
    }

    public void requireAuthorization(String value) {
        requireAuthorization(value == null ? null : value::equals);
    }

    public String lastSubprotocol() {
        return lastSubprotocol.get();
    }

    public String lastAuthorization() {
        return lastAuthorization.get();
    }

    public String lastProbeHeader() {
        return lastProbeHeader.get();
    }

    /** TCP connections open right now, upgraded or not. */
    public int openConnections() {
        return connections.size();
    }

    /** When pings arrived (System.nanoTime()), for the benchmark's interval jitter. */
    public List<Long> pingArrivals() {
        synchronized (pingArrivals) {
            return new ArrayList<>(pingArrivals);
        }
    }

    /** Connections the client closed with {@code code}. */
    public long closes(int code) {
        AtomicLong n = closeCodes.get(code);
        return n == null ? 0 : n.get();
    }

    /** WebSocket upgrades accepted since the backend started. */
    public long upgrades() {
        return upgrades.get();
    }

    /** Text messages received (first frames of text messages). */
    public long textMessages() {
        return textMessages.get();
    }

    public long normalCloses() {
        return normalCloses.get();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
