package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's nginx as a WebSocket reverse proxy on a loopback port, started as a child process with a generated
 * configuration (the one nginx documents for WebSockets: HTTP/1.1 to the upstream, Upgrade and Connection passed on),
 * everything it writes (pid, logs, temp files) in its own temporary directory. As root, its workers run as root too
 * ({@code user root}), so they can read that directory; otherwise nginx ignores the directive. Stopped (SIGTERM) and
 * its directory removed on close.
 */
public final class Nginx extends ChildServer {
    private final Path dir;

    private Nginx(int port, Path dir) {
        super(port);
        this.dir = dir;
    }

    /** One worker, {@code proxy_read_timeout} as given (nginx's default is 60 s). */
    public static Nginx proxy(int upstreamPort, Duration readTimeout) {
        return proxy(upstreamPort, readTimeout, 1);
    }

    /** {@code workers} worker processes (the benchmark gives it as many as the edge has event loops). */
    public static Nginx proxy(int upstreamPort, Duration readTimeout, int workers) {
        Requirements.need("/usr/sbin/nginx", "nginx");
        try {
            Path dir = Files.createTempDirectory("guardian-nginx-");
            Nginx nginx = new Nginx(Ports.free(), dir);
            Files.writeString(dir.resolve("nginx.conf"), nginx.config(upstreamPort, readTimeout, workers));
            nginx.launch(List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-e", dir.resolve("error.log").toString()), java.lang.ProcessBuilder.Redirect.appendTo(dir
                            .resolve("stdout.log").toFile()), "nginx", nginx::listening);
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String config(int upstreamPort, Duration readTimeout, int workers) {
        String d = dir.toString();
        long millis = Math.max(1, readTimeout.toMillis());
        // Whole seconds as an operator writes them ("60s"), so the generated file reads like a real one.
        String timeout = millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        return String.join("\n",
                Exec.root() ? "user root root;" : "",
                "daemon off;",
                "worker_processes " + workers + ";",
                "worker_rlimit_nofile 65536;",
                "pid " + d + "/nginx.pid;",
                "error_log " + d + "/error.log warn;",
                "events { worker_connections 32768; }",
                "http {",
                "  access_log " + d + "/access.log;",
                "  client_body_temp_path " + d + "/client_body;",
                "  proxy_temp_path " + d + "/proxy;",
                "  fastcgi_temp_path " + d + "/fastcgi;",
                "  uwsgi_temp_path " + d + "/uwsgi;",
                "  scgi_temp_path " + d + "/scgi;",
                "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
                "  server {",
                "    listen 127.0.0.1:" + port + " reuseport;",
                "    location / {",
                "      proxy_pass http://127.0.0.1:" + upstreamPort + ";",
                "      proxy_http_version 1.1;",
                "      proxy_set_header Upgrade $http_upgrade;",
                "      proxy_set_header Connection $connection_upgrade;",
                "      proxy_set_header Host $host;",
                "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "      proxy_read_timeout " + timeout + ";",
                "      proxy_send_timeout " + timeout + ";",
                "    }",
                "  }",
                "}", "");
    }

    public String ws(String path) {
        return "ws://127.0.0.1:" + port + path;
    }

    /** The master process (its workers are its children). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /** nginx's error log, for a test's failure message. */
    public String errorLog() {
        try {
            return Files.readString(dir.resolve("error.log"));
        } catch (IOException e) {
            return "(no error log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        end("TERM");
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
