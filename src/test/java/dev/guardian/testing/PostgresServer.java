package dev.guardian.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
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
    /** Server settings given as {@code -c name=value} at every start, restarts included. */
    private final List<String> settings = new ArrayList<>(List.of("listen_addresses=127.0.0.1", "fsync=off",
            "shared_buffers=16MB", "max_connections=50"));

    private PostgresServer(Path dir, int port, int maxConnections) {
        super(port);
        this.dir = dir;
        settings.set(settings.indexOf("max_connections=50"), "max_connections=" + maxConnections);
    }

    /** A server that is not running yet: its port is reserved so Guardian can be pointed at it first. */
    public static PostgresServer prepare() {
        return prepare(50);
    }

    /** As {@link #prepare()}, with {@code max_connections} (3 of them reserved for superusers, as by default). */
    public static PostgresServer prepare(int maxConnections) {
        try {
            Path dir = Files.createTempDirectory("guardian-pg-");
            Exec.run("cp", "-a", template().toString() + "/.", dir.toString());
            chownToPostgres(dir);
            Files.writeString(dir.resolve("postgresql.auto.conf"), "");
            return new PostgresServer(dir, Ports.free(), maxConnections);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PostgresServer started() {
        return started(50);
    }

    public static PostgresServer started(int maxConnections) {
        PostgresServer s = prepare(maxConnections);
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

    /** More server settings ({@code log_connections=on}), for every start from now on. */
    public PostgresServer with(String... nameValues) {
        settings.addAll(List.of(nameValues));
        return this;
    }

    /**
     * TLS on ({@code ssl=on}) with this certificate and key, copied into the data directory: Postgres refuses a key
     * that others can read, so the copy is the postgres user's, mode 0600.
     */
    public PostgresServer tls(Path certificate, Path key) {
        try {
            Files.copy(certificate, dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(key, dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chownToPostgres(dir.resolve("server.crt"));
        chownToPostgres(dir.resolve("server.key"));
        return with("ssl=on", "ssl_cert_file=server.crt", "ssl_key_file=server.key");
    }

    /** TLS off, said explicitly: the server answers every TLS request with 'N'. */
    public PostgresServer plaintext() {
        return with("ssl=off");
    }

    public void start() {
        Requirements.need(bin("postgres"), "postgresql");
        try {
            Files.createDirectories(socketDirectory());
            chownToPostgres(socketDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(Exec.as("postgres", bin("postgres"), "-D", dir.toString(), "-p",
                Integer.toString(port), "-k", socketDirectory().toString()));
        settings.forEach(s -> cmd.addAll(List.of("-c", s)));
        launch(cmd, ProcessBuilder.Redirect.appendTo(logFile().toFile()), "postgres", this::acceptsQueries);
    }

    /**
     * The directory of the server's Unix socket ({@code .s.PGSQL.<port>}), named as Cloud SQL names its instances'
     * ({@code /cloudsql/PROJECT:REGION:INSTANCE}), colons included.
     */
    public Path socketDirectory() {
        return dir.resolve("cloudsql").resolve("guardian-test:europe-west1:chat");
    }

    /** Lets {@code user} in over TCP from loopback without a password (pg_hba.conf, first match wins). */
    public void trust(String user) {
        try {
            Path hba = dir.resolve("pg_hba.conf");
            Files.writeString(hba, "host all " + user + " 127.0.0.1/32 trust\n" + Files.readString(hba));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sql("SELECT pg_reload_conf()");
    }

    private Path logFile() {
        return dir.resolveSibling(dir.getFileName() + ".log");
    }

    /** The server's log (its stderr) so far, across restarts. */
    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile()) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Backends of {@code user} that pg_stat_activity lists right now (authenticating ones included once named). */
    public int connectionsOf(String user) {
        return Integer.parseInt(sql("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + user + "'").trim());
    }

    /**
     * Starts counting, every millisecond for {@code span}, the backends of {@code user} in pg_stat_activity, from
     * an admin session opened now: it is frozen and resumed with the server, so it sees what arrives on resume.
     */
    public Sampler sampleConnections(String user, java.time.Duration span) {
        String sql = "DO $$ DECLARE most int := 0; n int; stop timestamptz := clock_timestamp() + interval '"
                + span.toMillis() + " milliseconds'; BEGIN WHILE clock_timestamp() < stop LOOP "
                + "PERFORM pg_stat_clear_snapshot(); "
                + "SELECT count(*) INTO n FROM pg_stat_activity WHERE usename = '" + user + "'; "
                + "most := greatest(most, n); PERFORM pg_sleep(0.001); END LOOP; "
                + "RAISE NOTICE 'most=%', most; END $$";
        ProcessBuilder pb = new ProcessBuilder(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                ADMIN, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql)).redirectErrorStream(true);
        pb.environment().putAll(Map.of("PGPASSWORD", ADMIN_PASSWORD, "PGCONNECT_TIMEOUT", "5",
                "PGAPPNAME", "guardian-tests-sampler"));
        Sampler sampler;
        try {
            sampler = new Sampler(pb.start(), span);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        org.awaitility.Awaitility.await("the sampling session running").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                        + "'guardian-tests-sampler' AND state = 'active'").trim().equals("1"));
        return sampler;
    }

    /** A running {@link #sampleConnections} session. */
    public static final class Sampler {
        private final Process psql;
        private final java.time.Duration span;

        private Sampler(Process psql, java.time.Duration span) {
            this.psql = psql;
            this.span = span;
        }

        /** Waits for the sampling to end; the most backends seen at once. */
        public int most() {
            try {
                String out = new String(psql.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (!psql.waitFor(span.toMillis() + 60_000, java.util.concurrent.TimeUnit.MILLISECONDS)
                        || psql.exitValue() != 0 || !out.contains("most=")) {
                    throw new IllegalStateException("sampling pg_stat_activity failed: " + out);
                }
                return Integer.parseInt(out.substring(out.indexOf("most=") + 5).trim().split("\\s")[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
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
        Exec.run("rm", "-rf", dir.toString(), logFile().toString());
    }
}
