package dev.guardian.testing;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

/**
 * A second, independent backend for the edge's tests and benchmark: a WebSocket echo server that echoes frame for
 * frame (type, FIN bit and payload kept, so fragmentation comes back as sent), speaks the subprotocols "chat.v2" and
 * "superchat", and obeys commands in single-frame text messages:
 * <ul>
 * <li>{@code cmd:close:<code>:<reason>} closes with that code and reason; {@code cmd:empty-close} sends a close frame
 * without a status; {@code cmd:drop} ends the TCP connection without a close frame;</li>
 * <li>{@code cmd:frag} sends the text "frag-one|frag-two|frag-three" as three frames, {@code cmd:binfrag} three binary
 * fragments {1,2},{3},{4,5};</li>
 * <li>{@code cmd:ping} pings the peer (the edge's backend leg must answer).</li>
 * </ul>
 * Upgrade paths: {@code /ws/refuse/<status>} refuses with that status; {@code /ws/flood} writes 16 KiB binary frames as
 * fast as its write queue allows and records when the queue was full; {@code /ws/stalled} reads nothing until the
 * test calls {@link Conn#resumeReading()}, then counts the bytes it gets. Every 101 carries {@code Set-Cookie}.
 * HTTP paths: {@code /http/headers} answers the request's headers as JSON, {@code /http/upload} streams the body in
 * and answers its size and CRC32 ({@code ?id=X}: the bytes received so far are readable while it streams, see
 * {@link #uploaded}), {@code /http/download?bytes=N} streams N bytes out (chunked, with backpressure),
 * {@code /http/held?id=X&first=N&rest=M} sends the first N bytes of that pattern and the other M only once the test
 * says {@link #release}, {@code /http/slow?ms=N} answers after N ms. Everything it saw is recorded for the tests.
 */
public final class EchoBackend implements AutoCloseable {
    /** What one WebSocket connection saw. */
    public static final class Conn {
        public final MultiMap headers;
        public final String subprotocol;
        public final String path;
        /** Data frames received, as "text:fin:payload" or "binary:fin:hex". */
        public final List<String> frames = new CopyOnWriteArrayList<>();
        public final AtomicInteger pongs = new AtomicInteger();
        public final AtomicLong bytesSent = new AtomicLong();
        public final AtomicInteger queueFull = new AtomicInteger();
        public final CountDownLatch closed = new CountDownLatch(1);
        public volatile Short closeCode;
        public volatile String closeReason;
        /** Whether a close frame came (a lost connection leaves this false). */
        public final AtomicBoolean closeFrameReceived = new AtomicBoolean();
        /** This backend began the close. */
        volatile boolean closedFirst;
        /** Payload bytes received ({@code /ws/stalled}). */
        public final AtomicLong bytesReceived = new AtomicLong();
        private volatile Runnable resume;

        /** A {@code /ws/stalled} connection starts reading. */
        public void resumeReading() {
            resume.run();
        }

        Conn(MultiMap headers, String subprotocol, String path) {
            this.headers = headers;
            this.subprotocol = subprotocol;
            this.path = path;
        }

        public boolean isClosed() {
            return closed.getCount() == 0;
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Conn> connections = new CopyOnWriteArrayList<>();
    private final List<MultiMap> httpHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicLong> uploads = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Runnable> held = new java.util.concurrent.ConcurrentHashMap<>();

    public EchoBackend() {
        this(0, 1);
    }

    /** {@code record} false: keep nothing per connection (the benchmark's long runs). */
    private final boolean record;

    public EchoBackend(int port, int eventLoops) {
        this(port, eventLoops, true);
    }

    public EchoBackend(int port, int eventLoops, boolean record) {
        this.record = record;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops)
                .setBlockedThreadCheckInterval(60_000));
        server = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(List.of("chat.v2",
                "superchat")).setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false).setMaxWebSocketFrameSize(4 * 1024 * 1024)
                .setMaxWebSocketMessageSize(16 * 1024 * 1024).setReuseAddress(true).setTcpNoDelay(true))
                .requestHandler(this::handle);
        Listen.await(server.listen(port, "127.0.0.1"));
    }

    public int port() {
        return server.actualPort();
    }

    public String ws(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    public List<Conn> connections() {
        return connections;
    }

    /** The most recent WebSocket connection; fails when there is none. */
    public Conn last() {
        if (connections.isEmpty()) {
            throw new IllegalStateException("no WebSocket reached the backend");
        }
        return connections.get(connections.size() - 1);
    }

    /**
     * The newest WebSocket connection once there are more than {@code before}: the backend records a connection
     * just after its 101 left, so a client may see its upgrade a moment before this does.
     */
    public Conn newest(int before) {
        org.awaitility.Awaitility.await("a WebSocket connection at the backend").atMost(java.time.Duration
                .ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(5)).until(() -> connections.size() > before);
        return last();
    }

    public List<MultiMap> httpHeaders() {
        return httpHeaders;
    }

    public int open() {
        return open.get();
    }

    /** Bytes of the upload {@code ?id=} received so far (0 before any). */
    public long uploaded(String id) {
        AtomicLong n = uploads.get(id);
        return n == null ? 0 : n.get();
    }

    /** Lets the held download {@code id} send the rest of its body; false when no such download waits. */
    public boolean release(String id) {
        Runnable rest = held.remove(id);
        if (rest == null) {
            return false;
        }
        vertx.runOnContext(v -> rest.run());
        return true;
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        if (path.startsWith("/http/")) {
            http(req, path);
            return;
        }
        if (path.startsWith("/ws/refuse/")) {
            req.response().setStatusCode(Integer.parseInt(path.substring("/ws/refuse/".length())))
                    .putHeader("X-Refused-By", "backend").end("refused by backend");
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
        req.response().putHeader("Set-Cookie", "edge-test=1; Path=/");
        req.toWebSocket().onSuccess(ws -> {
            Conn c = new Conn(headers, ws.subProtocol(), path);
            if (record) {
                connections.add(c);
            }
            open.incrementAndGet();
            ws.closeHandler(v -> {
                open.decrementAndGet();
                // Vert.x has parsed a close frame by now (its frame handler sees it just after): a code there means
                // one came. A close this backend began holds 1006 until the peer's answer replaces it.
                Short code = ws.closeStatusCode();
                c.closeFrameReceived.set(code != null && !(c.closedFirst && code == 1006));
                c.closeCode = code;
                c.closeReason = ws.closeReason();
                c.closed.countDown();
            });
            ws.pongHandler(p -> c.pongs.incrementAndGet());
            ws.exceptionHandler(e -> {
            });
            if (path.equals("/ws/flood")) {
                flood(ws, c);
            } else if (path.equals("/ws/stalled")) {
                ws.pause();
                ws.frameHandler(frame -> c.bytesReceived.addAndGet(frame.binaryData().length()));
                c.resume = () -> vertx.runOnContext(v -> ws.resume());
            } else {
                ws.frameHandler(frame -> frame(ws, c, frame));
            }
        });
    }

    private void frame(ServerWebSocket ws, Conn c, WebSocketFrame frame) {
        if (frame.isClose()) {
            return;
        }
        if (!(frame.isText() || frame.isBinary() || frame.isContinuation())) {
            return;
        }
        Buffer payload = frame.binaryData();
        if (record) {
            boolean text = frame.isText() || frame.isContinuation() && !c.frames.isEmpty()
                    && c.frames.get(c.frames.size() - 1).startsWith("text");
            c.frames.add((text ? "text" : "binary") + ":" + frame.isFinal() + ":"
                    + (text ? payload.toString(StandardCharsets.UTF_8)
                            : HexFormat.of().formatHex(payload.getBytes())));
        }
        if (frame.isText() && frame.isFinal() && payload.length() >= 4 && payload.getString(0, 4).equals("cmd:")) {
            command(ws, c, payload.toString(StandardCharsets.UTF_8).substring(4));
            return;
        }
        ws.writeFrame(frame);
    }

    private void command(ServerWebSocket ws, Conn c, String cmd) {
        if (cmd.startsWith("close:") || cmd.equals("empty-close") || cmd.equals("drop")) {
            c.closedFirst = true;
        }
        if (cmd.startsWith("close:")) {
            String[] parts = cmd.split(":", 3);
            ws.close(Short.parseShort(parts[1]), parts.length > 2 ? parts[2] : null);
        } else if (cmd.equals("empty-close")) {
            ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.CLOSE, new byte[0], true));
        } else if (cmd.equals("drop")) {
            ((WebSocketInternal) ws).channelHandlerContext().close();
        } else if (cmd.equals("frag")) {
            ws.writeFrame(WebSocketFrame.textFrame("frag-one|", false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("frag-two|"), false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("frag-three"), true));
        } else if (cmd.equals("binfrag")) {
            ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[] { 1, 2 }), false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] { 3 }), false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] { 4, 5 }), true));
        } else if (cmd.equals("ping")) {
            ws.writePing(Buffer.buffer("backend-ping"));
        }
    }

    /** Writes while the write queue accepts, resumes on drain: what a well-behaved server does. */
    private void flood(ServerWebSocket ws, Conn c) {
        Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (!ws.isClosed() && !ws.writeQueueFull()) {
                ws.writeBinaryMessage(chunk);
                c.bytesSent.addAndGet(chunk.length());
            }
            if (!ws.isClosed()) {
                c.queueFull.incrementAndGet();
                ws.drainHandler(v -> vertx.runOnContext(x -> pump[0].run()));
            }
        };
        vertx.runOnContext(v -> pump[0].run());
    }

    private void http(HttpServerRequest req, String path) {
        httpHeaders.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
        switch (path) {
            case "/http/headers" -> {
                JsonObject json = new JsonObject();
                for (Map.Entry<String, String> e : req.headers()) {
                    json.put(e.getKey().toLowerCase(), e.getValue());
                }
                req.response().putHeader("Content-Type", "application/json").putHeader("X-Backend", "echo")
                        .end(json.encode());
            }
            case "/http/upload" -> {
                CRC32 crc = new CRC32();
                long[] n = new long[1];
                AtomicLong progress = req.getParam("id") == null ? new AtomicLong()
                        : uploads.computeIfAbsent(req.getParam("id"), k -> new AtomicLong());
                req.handler(b -> {
                    crc.update(b.getBytes());
                    n[0] += b.length();
                    progress.addAndGet(b.length());
                });
                req.endHandler(v -> req.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("bytes", n[0]).put("crc", crc.getValue()).encode()));
            }
            case "/http/download" -> download(req, Long.parseLong(req.getParam("bytes")));
            case "/http/held" -> {
                var resp = req.response().setChunked(true).putHeader("Content-Type", "application/octet-stream");
                int first = Integer.parseInt(req.getParam("first"));
                int rest = Integer.parseInt(req.getParam("rest"));
                resp.write(pattern(0, first));
                held.put(req.getParam("id"), () -> resp.end(pattern(first, rest)));
            }
            case "/http/slow" -> vertx.setTimer(Long.parseLong(req.getParam("ms")),
                    id -> req.response().end("slow done"));
            default -> req.response().setStatusCode(404).end("no such path");
        }
    }

    /** N bytes of a repeating pattern (byte i = i % 251), chunked, with backpressure. */
    private void download(HttpServerRequest req, long total) {
        var resp = req.response().setChunked(true).putHeader("Content-Type", "application/octet-stream");
        long[] sent = new long[1];
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (sent[0] < total && !resp.writeQueueFull()) {
                int n = (int) Math.min(16 * 1024, total - sent[0]);
                resp.write(pattern(sent[0], n));
                sent[0] += n;
            }
            if (sent[0] >= total) {
                resp.end();
            } else {
                resp.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }

    /** {@code n} bytes of the download pattern from offset {@code from}: byte i is i % 251. */
    public static Buffer pattern(long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((from + i) % 251);
        }
        return Buffer.buffer(b);
    }

    /** For the benchmark: an echo backend as its own process. Arguments: port [event loops]. */
    public static void main(String[] args) throws Exception {
        QuietLogging.apply();
        int port = Integer.parseInt(args[0]);
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        EchoBackend backend = new EchoBackend(port, loops, false);
        System.out.println("listening " + backend.port());
        Thread.currentThread().join();
    }

    @Override
    public void close() {
        Listen.await(vertx.close());
    }

    /** Test helper: waits for a latch without a checked exception. */
    public static boolean await(CountDownLatch latch, long millis) {
        try {
            return latch.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
