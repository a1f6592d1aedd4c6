package dev.guardian.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A real PostgreSQL server on a random loopback port, run as a child process (as the postgres user when the tests
 * run as root). The cluster is created once per test JVM and copied for each server. Can be frozen (SIGSTOP),
 * resumed, stopped and started again on the same port.
 */
public final class PostgresServer extends ChildServer {
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-pw-for-tests";
    private static Path template;

    private final Path dir;

    private PostgresServer(Path dir, int port) {
        super(port);
        this.dir = dir;
    }

    /** A server that is not running yet: its port is reserved so Guardian can be pointed at it first. */
    public static PostgresServer prepare() {
        try {
            Path dir = Files.createTempDirectory("guardian-pg-");
            Exec.run("cp", "-a", template().toString() + "/.", dir.toString());
            chownToPostgres(dir);
            Files.writeString(dir.resolve("postgresql.auto.conf"), "");
            return new PostgresServer(dir, Ports.free());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PostgresServer started() {
        PostgresServer s = prepare();
        s.start();
        return s;
    }

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Requirements.need(bin("initdb"), "postgresql");
            Requirements.need("psql", "postgresql-client");
            Requirements.need("pkill", "procps");
            if (Exec.root()) {
                Requirements.need("setpriv", "util-linux");
            }
            Path dir = Files.createTempDirectory("guardian-pg-template-");
            Path pwfile = dir.resolveSibling(dir.getFileName() + ".pw");
            Files.writeString(pwfile, ADMIN_PASSWORD + "\n");
            chownToPostgres(dir);
            chownToPostgres(pwfile);
            Exec.run(Exec.as("postgres", bin("initdb"), "-D", dir.toString(), "-U", ADMIN, "--pwfile=" + pwfile,
                    "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"), Map.of());
            Files.delete(pwfile);
            template = dir;
        }
        return template;
    }

    private static void chownToPostgres(Path p) {
        if (Exec.root()) {
            Exec.run("chown", "-R", "postgres:postgres", p.toString());
        }
    }

    /** Debian keeps the server binaries in /usr/lib/postgresql/VERSION/bin; take the newest. */
    static String bin(String name) {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        if (versions == null || versions.length == 0) {
            return name;
        }
        return Arrays.stream(versions).max(Comparator.comparing(f -> Integer.parseInt(f.getName().replaceAll("\\D", "0"))))
                .map(v -> new File(v, "bin/" + name).getPath()).orElse(name);
    }

    public void start() {
        Requirements.need(bin("postgres"), "postgresql");
        launch(Exec.as("postgres", bin("postgres"), "-D", dir.toString(), "-p", Integer.toString(port),
                "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "shared_buffers=16MB", "-c", "max_connections=50"),
                ProcessBuilder.Redirect.to(dir.resolveSibling(dir.getFileName() + ".log").toFile()), "postgres",
                this::acceptsQueries);
    }

    private boolean acceptsQueries() {
        try {
            sql("SELECT 1");
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public String sql(String statement) {
        return Exec.run(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", ADMIN, "-d", "postgres",
                "-v", "ON_ERROR_STOP=1", "-tAc", statement), Map.of("PGPASSWORD", ADMIN_PASSWORD, "PGCONNECT_TIMEOUT", "5"));
    }

    /** A login role owning a database, for Guardian to connect as. */
    public void createUser(String user, String password, String database) {
        sql("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
        sql("CREATE DATABASE " + database + " OWNER " + user);
    }

    public String url(String user, String password, String database) {
        return "postgresql://" + user + ":" + password + "@127.0.0.1:" + port + "/" + database;
    }

    /**
     * SIGSTOP to the postmaster and every backend it forked: the whole server freezes, including connections a
     * pool already holds (stopping the postmaster alone freezes only new connections).
     */
    @Override
    public void freeze() {
        super.freeze();
        Exec.run(List.of("pkill", "-STOP", "-P", Long.toString(process.pid())), Map.of());
    }

    @Override
    public void resume() {
        try {
            Exec.run(List.of("pkill", "-CONT", "-P", Long.toString(process.pid())), Map.of());
        } catch (IllegalStateException noChildren) {
            // pkill exits 1 when no backend is running
        }
        super.resume();
    }

    public void stop() {
        end("QUIT"); // immediate shutdown
    }

    @Override
    public void close() {
        stop();
        Exec.run("rm", "-rf", dir.toString());
    }
}
