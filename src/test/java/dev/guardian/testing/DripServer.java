package dev.guardian.testing;

import java.nio.charset.StandardCharsets;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;

/** A raw TCP server that answers any HTTP request by dripping its status line, one byte every 200 ms. */
public final class DripServer implements AutoCloseable {
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;

    public DripServer() {
        server = vertx.createNetServer().connectHandler(socket -> {
            int[] at = { 0 };
            socket.handler(ignored -> {
            });
            long timer = vertx.setPeriodic(200, id -> {
                if (at[0] < RESPONSE.length) {
                    socket.write(Buffer.buffer(new byte[] { RESPONSE[at[0]++] }));
                }
            });
            socket.closeHandler(v -> vertx.cancelTimer(timer));
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
