package dev.guardian.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket server written by hand on a plain socket, because Vert.x and Python's websockets answer every ping
 * by themselves: it completes the RFC 6455 handshake, sends one unsolicited pong at once and then reads and ignores
 * everything, pings included. RFC 6455 allows an unsolicited pong; it proves nothing about a ping.
 */
public final class UnsolicitedPongServer extends SocketServer {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] PONG_PAYLOAD = "unsolicited".getBytes(StandardCharsets.US_ASCII);

    private final AtomicLong upgrades = new AtomicLong();
    private final AtomicLong bytesIgnored = new AtomicLong();

    public UnsolicitedPongServer() {
        super(0, "unsolicited-pong");
    }

    @Override
    protected void serve(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String key = webSocketKey(requestHead(in));
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // FIN + opcode 0xA (pong), unmasked (server to client), payload length < 126.
        out.write(new byte[] { (byte) 0x8A, (byte) PONG_PAYLOAD.length });
        out.write(PONG_PAYLOAD);
        out.flush();
        upgrades.incrementAndGet();
        byte[] buffer = new byte[4096];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            bytesIgnored.addAndGet(n);
        }
    }

    private static String requestHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String webSocketKey(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-key")) {
                return line.substring(colon + 1).trim();
            }
        }
        throw new IOException("no Sec-WebSocket-Key in the upgrade request");
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    /** Handshakes completed (each followed by the unsolicited pong). */
    public long upgrades() {
        return upgrades.get();
    }
}
