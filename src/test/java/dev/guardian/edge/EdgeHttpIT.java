package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.Ports;
import dev.guardian.testing.RawHttp;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/** Plain HTTP through the edge: headers, streamed bodies both ways, hop-by-hop headers, an unreachable backend. */
class EdgeHttpIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @RegisterExtension
    static final EchoWorld world = EchoWorld.withEdge();

    @Test
    void aStreamedDownloadArrivesWholeAndInOrder() throws Exception {
        long total = 8_000_000;
        HttpResponse<InputStream> resp = HTTP.send(HttpRequest.newBuilder(URI.create(world.edge().http(
                "/http/download?bytes=" + total))).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertEquals("application/octet-stream", resp.headers().firstValue("Content-Type").orElseThrow());
        long n = 0;
        try (InputStream in = resp.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int r; (r = in.read(buf)) > 0;) {
                for (int i = 0; i < r; i++) {
                    if (buf[i] != (byte) ((n + i) % 251)) {
                        throw new AssertionError("byte " + (n + i) + " differs");
                    }
                }
                n += r;
            }
        }
        assertEquals(total, n);
    }

    @Test
    void streamedAndSizedUploadsReachTheBackendWhole() throws Exception {
        byte[] body = new byte[3_000_000];
        new java.util.Random(7).nextBytes(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        // Unknown length: the client streams it chunked, the edge streams it on.
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(URI.create(world.edge().http("/http/upload")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).timeout(WAIT)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, chunked.statusCode(), chunked.body());
        assertEquals(new JsonObject().put("bytes", body.length).put("crc", crc.getValue()),
                new JsonObject(chunked.body()));
        assertEquals("chunked", lastRequestHeaders().get("Transfer-Encoding"));

        HttpResponse<String> sized = HTTP.send(HttpRequest.newBuilder(URI.create(world.edge().http("/http/upload")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(new JsonObject().put("bytes", body.length).put("crc", crc.getValue()),
                new JsonObject(sized.body()));
        assertEquals(Integer.toString(body.length), lastRequestHeaders().get("Content-Length"));
    }

    /**
     * Streamed, not buffered: the backend sends the first 4 KiB and holds the rest until the client has them, which
     * an edge that waited for the whole body would never deliver.
     */
    @Test
    void aDownloadsFirstBytesReachTheClientWhileTheBackendHoldsTheRest() throws Exception {
        int first = 4096;
        int rest = 500_000;
        long started = System.nanoTime();
        HttpResponse<InputStream> resp = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(world.edge().http(
                "/http/held?id=download-1&first=" + first + "&rest=" + rest))).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, resp.statusCode());
        try (InputStream in = resp.body()) {
            byte[] head = CompletableFuture.supplyAsync(() -> readN(in, first)).get(WAIT.toSeconds(),
                    TimeUnit.SECONDS);
            System.out.printf("first %d bytes through the edge after %d ms, the rest still held%n", first,
                    (System.nanoTime() - started) / 1_000_000);
            assertArrayEquals(EchoBackend.pattern(0, first).getBytes(), head);
            assertTrue(world.backend().release("download-1"), "the backend still held the rest");
            assertArrayEquals(EchoBackend.pattern(first, rest).getBytes(), in.readAllBytes());
        }
    }

    /** Streamed, not buffered: the backend has the first chunk of an upload while the client still holds the rest. */
    @Test
    void anUploadsFirstBytesReachTheBackendWhileTheClientHoldsTheRest() throws Exception {
        byte[] body = new byte[200_000];
        new java.util.Random(11).nextBytes(body);
        int first = 4096;
        CRC32 crc = new CRC32();
        crc.update(body);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), world.edge().port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("POST /http/upload?id=upload-1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            chunk(out, body, 0, first);
            await("the first chunk at the backend, the rest still with the client").atMost(WAIT)
                    .until(() -> world.backend().uploaded("upload-1") == first);
            chunk(out, body, first, body.length - first);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = RawHttp.response(s.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertEquals(new JsonObject().put("bytes", body.length).put("crc", crc.getValue()),
                    new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)));
        }
    }

    private static void chunk(OutputStream out, byte[] body, int from, int length) throws java.io.IOException {
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, from, length);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static byte[] readN(InputStream in, int n) {
        try {
            return in.readNBytes(n);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The headers of the last HTTP request the backend received. */
    private static MultiMap lastRequestHeaders() {
        List<MultiMap> all = world.backend().httpHeaders();
        return all.get(all.size() - 1);
    }

    @Test
    void endToEndHeadersPassWithForwardedOnesAndHopByHopOnesStay() throws Exception {
        // A raw request: the JDK client would not send Connection or Keep-Alive itself.
        String request = "GET /http/headers?x=1 HTTP/1.1\r\nHost: chat.example.com\r\n"
                + "Authorization: Bearer s3cret-token\r\nCookie: session=abc\r\nX-Custom: yes\r\n"
                + "Connection: keep-alive, X-Hop\r\nX-Hop: only this hop\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                + "Proxy-Authorization: Basic cHJveHk6cHc=\r\nX-Forwarded-For: 198.51.100.9\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: spoofed.example.com\r\n\r\n";
        String response;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), world.edge().port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            response = RawHttp.response(s.getInputStream());
        }
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.toLowerCase().contains("\r\nx-backend: echo\r\n"), "response headers pass: " + response);
        JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertEquals("Bearer s3cret-token", seen.getString("authorization"));
        assertEquals("session=abc", seen.getString("cookie"));
        assertEquals("yes", seen.getString("x-custom"));
        assertEquals("chat.example.com", seen.getString("host"));
        assertEquals("198.51.100.9, 127.0.0.1", seen.getString("x-forwarded-for"));
        assertEquals("http", seen.getString("x-forwarded-proto"), "this hop's scheme, not what the client claimed");
        assertEquals("chat.example.com", seen.getString("x-forwarded-host"), "this request's Host");
        for (String hop : new String[] { "x-hop", "keep-alive", "te", "proxy-authorization" }) {
            assertFalse(seen.containsKey(hop), hop + " is hop-by-hop: " + seen);
        }
    }

    @Test
    void anUpgradeThatIsNoWebSocketHandshakeIsRefusedBeforeTheBackendIsAsked() throws Exception {
        int before = world.backend().connections().size();
        String noKey = raw("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertTrue(noKey.startsWith("HTTP/1.1 400"), noKey);
        assertTrue(noKey.endsWith("invalid WebSocket upgrade: no Sec-WebSocket-Key\n"), noKey);
        String oldVersion = raw("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        assertTrue(oldVersion.startsWith("HTTP/1.1 426"), oldVersion);
        assertTrue(oldVersion.toLowerCase().contains("\r\nsec-websocket-version: 13\r\n"), oldVersion);
        assertEquals(before, world.backend().connections().size());
        assertEquals(2, world.edge().metric("guardian_edge_upgrades_refused_total", "reason", "invalid"));
    }

    private static String raw(String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), world.edge().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return RawHttp.response(s.getInputStream());
        }
    }

    @Test
    void anUnreachableBackendGives502AndTheSlotIsGivenBack() throws Exception {
        try (RunningEdge nowhere = RunningEdge.open(new SettingsBuilder(Ports.free()))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(nowhere.http("/anything")))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(502, r.statusCode());
            assertEquals("backend unreachable\n", r.body());
            await().atMost(WAIT).until(() -> nowhere.metric("guardian_edge_http_requests_total", "outcome",
                    "backend_unreachable") == 1 && nowhere.health().get("in_use").equals(0L));
        }
    }
}
