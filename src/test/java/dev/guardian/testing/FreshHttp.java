package dev.guardian.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One HTTP/1.1 GET on a fresh TCP connection with {@code Connection: close}, as the kubelet and Cloud Run probe:
 * no keep-alive connection pinned to one of Guardian's event loops can hide a stalled one. The whole exchange
 * (connect, status line, headers, body) must finish within the timeout.
 */
public final class FreshHttp {
    private FreshHttp() {
    }

    /** @throws IOException when it cannot connect, times out, or the answer is not HTTP */
    public static Health get(String url, Duration timeout) throws IOException {
        URI uri = URI.create(url);
        long deadline = System.nanoTime() + timeout.toNanos();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), millisLeft(deadline));
            socket.setSoTimeout(millisLeft(deadline));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUser-Agent: kube-probe/1.31\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Reader in = new Reader(socket, deadline);
            String statusLine = in.line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            int code = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            for (String header = in.line(); !header.isEmpty(); header = in.line()) {
                int colon = header.indexOf(':');
                String name = colon < 0 ? header : header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : header.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            byte[] body = chunked ? in.chunked() : length >= 0 ? in.exactly(length) : in.toEnd();
            return new Health(code, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** Reads with the remaining time as the socket timeout before every read, so a drip cannot outlast it. */
    private static final class Reader {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        Reader(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        private int read() throws IOException {
            socket.setSoTimeout(millisLeft(deadline));
            return in.read();
        }

        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = read(); b != '\n'; b = read()) {
                if (b < 0) {
                    throw new IOException("connection closed in the middle of the headers");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        byte[] exactly(long length) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (body.size() < length) {
                socket.setSoTimeout(millisLeft(deadline));
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - body.size()));
                if (n < 0) {
                    throw new IOException("connection closed after " + body.size() + " of " + length + " bytes");
                }
                body.write(buffer, 0, n);
            }
            return body.toByteArray();
        }

        byte[] toEnd() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                socket.setSoTimeout(millisLeft(deadline));
                int n = in.read(buffer);
                if (n < 0) {
                    return body.toByteArray();
                }
                body.write(buffer, 0, n);
            }
        }

        byte[] chunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line();
                int semicolon = sizeLine.indexOf(';');
                long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(exactly(size));
                line(); // the CRLF after each chunk
            }
        }
    }
}
