package dev.guardian.testing;

import java.io.DataInputStream;
import java.io.EOFException;
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
 * A WebSocket server written on plain sockets that accepts the upgrade, then reads every frame and answers none:
 * no pong, ever, from the first frame on. Vert.x (like most servers) answers pings by itself, so a backend that
 * withholds its pong cannot be built on it; with this one the outcome does not depend on which process is faster.
 */
public final class PonglessBackend extends SocketServer {
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final AtomicLong upgrades = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();

    public PonglessBackend() {
        super(0, "pongless");
    }

    public String url(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    /** Upgrades answered with 101. */
    public long upgrades() {
        return upgrades.get();
    }

    /** Ping frames received (and left unanswered). */
    public long pings() {
        return pings.get();
    }

    @Override
    protected void serve(Socket client) throws IOException {
        try {
            InputStream in = client.getInputStream();
            String key = upgradeKey(readHeaders(in));
            OutputStream out = client.getOutputStream();
            if (key == null) {
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            upgrades.incrementAndGet();
            DataInputStream frames = new DataInputStream(in);
            while (true) {
                readFrame(frames);
            }
        } catch (EOFException | java.net.SocketException closed) {
            // the client went away, or close() ended it
        }
    }

    /** Reads one frame (RFC 6455 section 5.2), counts pings, discards the payload. */
    private void readFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if ((second & 0x80) != 0) {
            in.readInt(); // masking key
        }
        if ((first & 0x0F) == 0x9) {
            pings.incrementAndGet();
        }
        in.skipNBytes(length);
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > MAX_HEADER_BYTES) {
                throw new EOFException("no complete upgrade request");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static String upgradeKey(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-key")) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
