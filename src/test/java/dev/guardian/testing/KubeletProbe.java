package dev.guardian.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP probe as the kubelet (and Cloud Run) sends it: a fresh TCP connection to the container's address, one
 * HTTP/1.1 GET with {@code Connection: close}, the whole answer within the probe's timeout. Success is a status from
 * 200 to 399; no answer within the timeout is a failure, reported as code -1 with the reason as body.
 */
public final class KubeletProbe {
    private KubeletProbe() {
    }

    public static Health get(String host, int port, String path, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nUser-Agent: kube-probe/1.33\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = readAll(s, deadline);
            int headEnd = answer.indexOf("\r\n\r\n");
            String[] status = answer.substring(0, answer.indexOf("\r\n")).split(" ", 3);
            return new Health(Integer.parseInt(status[1]), headEnd < 0 ? "" : body(answer, headEnd + 4));
        } catch (IOException | RuntimeException e) {
            return new Health(-1, e.toString());
        }
    }

    public static boolean success(Health h) {
        return h.code() >= 200 && h.code() < 400;
    }

    private static String readAll(Socket s, long deadline) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new IOException("no complete answer within the probe's timeout");
            }
            s.setSoTimeout((int) left);
            int n = in.read(buf);
            if (n < 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(buf, 0, n);
        }
    }

    /** The body, de-chunked when the server sent it chunked. */
    private static String body(String answer, int start) {
        String head = answer.substring(0, start).toLowerCase(java.util.Locale.ROOT);
        String rest = answer.substring(start);
        if (!head.contains("transfer-encoding: chunked")) {
            return rest;
        }
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = rest.indexOf("\r\n", at);
            int size = Integer.parseInt(rest.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(rest, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }
}
