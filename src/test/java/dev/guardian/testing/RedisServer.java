package dev.guardian.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real redis-server on a random loopback port, as a child process; can be frozen, killed and restarted. */
public final class RedisServer extends ChildServer {
    private final String password;
    /** With TLS: certificate, key and CA files; the port then speaks TLS only. */
    private Path[] tls;

    private RedisServer(int port, String password) {
        super(port);
        this.password = password;
    }

    public static RedisServer prepare(String requirePassword) {
        return new RedisServer(Ports.free(), requirePassword);
    }

    public static RedisServer started() {
        RedisServer r = prepare(null);
        r.start();
        return r;
    }

    /**
     * TLS only on the port ({@code --tls-port}, {@code --port 0}), with this certificate and key; clients need no
     * certificate of their own ({@code --tls-auth-clients no}).
     */
    public RedisServer tls(Path certificate, Path key, Path ca) {
        tls = new Path[] { certificate, key, ca };
        return this;
    }

    public void start() {
        Requirements.need("redis-server", "redis-server");
        String portOption = tls == null ? "--port" : "--tls-port";
        List<String> cmd = new ArrayList<>(List.of("redis-server", portOption, Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                "--enable-debug-command", "local"));
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password));
        }
        if (tls != null) {
            cmd.addAll(List.of("--port", "0", "--tls-cert-file", tls[0].toString(), "--tls-key-file", tls[1].toString(),
                    "--tls-ca-cert-file", tls[2].toString(), "--tls-auth-clients", "no"));
        }
        launch(cmd, ProcessBuilder.Redirect.DISCARD, "redis", this::listening);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public String url(String password) {
        return "redis://:" + password + "@127.0.0.1:" + port;
    }

    /**
     * Sends a raw command (e.g. DEBUG SLEEP 3) and returns once it is written: a thread of its own waits for the reply
     * (which DEBUG SLEEP sends only when it ends), keeping the connection open until the server has answered.
     */
    public void send(String command) {
        try {
            java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
            s.getOutputStream().write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            Thread reply = new Thread(() -> {
                try (s) {
                    s.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // the server went away: nothing is waiting for this reply
                }
            }, "redis-reply");
            reply.setDaemon(true);
            reply.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void kill() {
        end("KILL");
    }

    @Override
    public void close() {
        kill();
    }
}
