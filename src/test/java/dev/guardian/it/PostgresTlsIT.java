package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.Certificates;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.PostgresServer;

/**
 * Postgres URLs as libpq reads them, against real servers: one with TLS on (a certificate for {@code localhost} only,
 * signed by a CA made in the test) and one with TLS off. One Guardian checks them all, one named check per case: the
 * cases that must fail are informational, so READY proves that every case that must pass does. Each way TLS can go
 * wrong has its own reason; a connection that should be encrypted is, by the server's own account; Unix sockets and
 * password-less (trust) logins work; the password appears nowhere.
 */
class PostgresTlsIT {
    private static final String SECRET = "Pg-Tls-Secret-4e1b7d";
    private static Certificates certs;
    private static PostgresServer tls;
    private static PostgresServer plain;
    /** Accepts TCP (the kernel does) and never answers: a server that never completes TLS. */
    private static ServerSocket silent;
    private static GuardianProcess g;

    @BeforeAll
    static void start() throws IOException {
        certs = Certificates.make();
        tls = PostgresServer.prepare().tls(certs.serverCertificate(), certs.serverKey()).with("log_connections=on");
        tls.start();
        tls.createUser("guardian", SECRET, "chat");
        tls.sql("CREATE ROLE trusted LOGIN");
        tls.trust("trusted");
        plain = PostgresServer.prepare().plaintext();
        plain.start();
        plain.createUser("guardian", SECRET, "chat");
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        String dir = tls.socketDirectory().toString();
        g = GuardianProcess.with("GUARDIAN_STARTUP_BUDGET", "60s", "GUARDIAN_SHUTDOWN_DRAIN", "0s",
                "GUARDIAN_POSTGRES_URL", url("localhost", tls, "sslmode=verify-full&sslrootcert=" + certs.ca()
                        + "&application_name=guardian_verify_full"),
                "GUARDIAN_POSTGRES_VERIFYCA_URL", url("127.0.0.1", tls, "sslmode=verify-ca&sslrootcert=" + certs.ca()
                        + "&application_name=guardian_verify_ca"),
                "GUARDIAN_POSTGRES_CLEAR_URL", url("127.0.0.1", tls, "sslmode=disable&application_name=guardian_clear"),
                "GUARDIAN_POSTGRES_ANYCA_URL", url("127.0.0.1", tls, "sslmode=require&application_name=guardian_require"),
                "GUARDIAN_POSTGRES_PREFER_URL", url("127.0.0.1", tls, "application_name=guardian_prefer"),
                // The socket file is named after the port, .s.PGSQL.<port>: given after the '@', or as libpq's port.
                "GUARDIAN_POSTGRES_SOCKET_URL", "postgresql://guardian:" + SECRET + "@:" + tls.port() + "/chat?host="
                        + dir,
                "GUARDIAN_POSTGRES_TRUSTED_URL", "postgresql://trusted@127.0.0.1:" + tls.port() + "/postgres",
                "GUARDIAN_POSTGRES_WRONGCA_URL", url("localhost", tls, "sslmode=verify-full&sslrootcert="
                        + certs.otherCa()),
                "GUARDIAN_POSTGRES_MISMATCH_URL", url("127.0.0.1", tls, "sslmode=verify-full&sslrootcert=" + certs.ca()),
                "GUARDIAN_POSTGRES_PLAIN_URL", url("127.0.0.1", plain, "sslmode=require"),
                "GUARDIAN_POSTGRES_SILENT_URL", "postgresql://guardian:" + SECRET + "@localhost:" + silent.getLocalPort()
                        + "/chat?sslmode=verify-full&sslrootcert=" + certs.ca(),
                "GUARDIAN_POSTGRES_ELSEWHERE_URL", "postgresql://guardian:" + SECRET + "@/chat?host=" + dir + "&port="
                        + (tls.port() + 1));
        for (String failing : new String[] { "WRONGCA", "MISMATCH", "PLAIN", "SILENT", "ELSEWHERE" }) {
            g.env("GUARDIAN_POSTGRES_" + failing + "_ROLE", "informational");
        }
        g.start().awaitListening();
        g.awaitState("READY", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws IOException {
        if (g != null) {
            g.close();
        }
        plain.close();
        tls.close();
        silent.close();
        certs.close();
    }

    private static String url(String host, PostgresServer server, String query) {
        return "postgresql://guardian:" + SECRET + "@" + host + ":" + server.port() + "/chat?" + query;
    }

    /** The entry of the named check, once it passes. */
    private static JsonNode passing(String check) {
        await(check + " UP").atMost(Duration.ofSeconds(10))
                .until(() -> "UP".equals(g.health().check(check).path("status").asText()));
        return g.health().check(check);
    }

    private static void assertError(String check, String expected) {
        NotGating.assertFailing(g, check, expected, check + " (");
    }

    /** The server's log line for the connection of {@code application}: with TLS it says "SSL enabled (protocol=...". */
    private static String connectionLogged(String application) {
        String prefix = "connection authorized: user=guardian database=chat application_name=" + application;
        await("the server's log of " + application).atMost(Duration.ofSeconds(5))
                .until(() -> tls.log().contains(prefix));
        return tls.log().lines().filter(l -> l.contains(prefix)).findFirst().orElseThrow();
    }

    @Test
    void verifyFullWithTheRightCaIsReadyAndEncrypted() {
        JsonNode postgres = passing("postgres");
        assertEquals("localhost:" + tls.port() + "/chat", postgres.path("data").path("target").asText());
        String line = connectionLogged("guardian_verify_full");
        assertTrue(line.contains(" SSL enabled (protocol=TLSv1.3"), line);
    }

    @Test
    void aCaThatDidNotSignTheServersCertificateIsNamed() {
        assertError("wrongca", "TLS: the server's certificate is not signed by a trusted CA (sslmode=verify-full, "
                + "sslrootcert=" + certs.otherCa() + ")");
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByVerifyFullOnly() {
        assertError("mismatch", "TLS: the server's certificate does not name host 127.0.0.1 (sslmode=verify-full, "
                + "sslrootcert=" + certs.ca() + "): No subject alternative names matching IP address 127.0.0.1 found");
        // verify-ca checks the chain, not the host, as libpq does.
        passing("verifyca");
        assertTrue(connectionLogged("guardian_verify_ca").contains(" SSL enabled (protocol=TLS"));
    }

    @Test
    void requireAndTheDefaultPreferEncryptWithoutVerifying() {
        passing("anyca");
        assertTrue(connectionLogged("guardian_require").contains(" SSL enabled (protocol=TLS"));
        passing("prefer");
        assertTrue(connectionLogged("guardian_prefer").contains(" SSL enabled (protocol=TLS"));
    }

    @Test
    void requireAgainstAServerWithoutTlsIsNamed() {
        assertError("plain", "the server does not accept TLS (sslmode=require)");
    }

    @Test
    void aServerThatNeverCompletesTlsHoldsAnAttemptOnlyUntilItsDeadline() {
        assertError("silent", "no answer within 2000 ms (attempt timeout)");
    }

    @Test
    void disableConnectsInPlaintext() {
        passing("clear");
        String line = connectionLogged("guardian_clear");
        assertFalse(line.contains("SSL enabled"), line);
    }

    @Test
    void aUnixSocketDirectory() {
        String dir = tls.socketDirectory().toString();
        assertEquals(dir + "/.s.PGSQL." + tls.port() + "/chat", passing("socket").path("data").path("target").asText());
        assertError("elsewhere", "no Unix socket " + dir + "/.s.PGSQL." + (tls.port() + 1) + ": no server listens "
                + "there (is the directory right, and the port that names the socket?)");
    }

    @Test
    void aUserWithoutPasswordUnderTrustAuthentication() {
        passing("trusted");
        assertFalse(g.output().contains("NullPointerException"), g.output());
    }

    @Test
    void thePasswordAppearsNowhere() {
        assertError("wrongca", "TLS: the server's certificate is not signed by a trusted CA (sslmode=verify-full, "
                + "sslrootcert=" + certs.otherCa() + ")");
        String everything = g.health().body() + g.get("/q/health/ready").body() + g.metrics()
                + g.management("/q/status/data").body() + g.output();
        assertFalse(everything.contains(SECRET), "the password leaked:\n" + everything);
    }
}
