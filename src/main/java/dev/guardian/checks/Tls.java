package dev.guardian.checks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import dev.guardian.config.Problems;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;

/** TLS to dependencies: a CA file checked at startup, and reasons for failed handshakes that say what to fix. */
public final class Tls {
    private Tls() {
    }

    /** The CA certificates of a PEM file set by {@code property}; null (after refusing) when unusable. */
    public static PemTrustOptions trust(Problems problems, String property, String file) {
        return trust(file, problem -> problems.refuse(property, file, problem));
    }

    /**
     * The CA certificates of a PEM file; null when it cannot be read or holds none, after telling {@code refuse}
     * why ("cannot be read (...)").
     */
    public static PemTrustOptions trust(String file, Consumer<String> refuse) {
        byte[] pem;
        try {
            pem = Files.readAllBytes(Path.of(file));
        } catch (IOException | RuntimeException e) {
            refuse.accept("cannot be read (" + e.getMessage() + ")");
            return null;
        }
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw new CertificateException("no certificate");
            }
        } catch (CertificateException e) {
            refuse.accept("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            return null;
        }
        return new PemTrustOptions().addCertValue(Buffer.buffer(pem));
    }

    /**
     * The reason for a failed TLS handshake, or null when {@code failure} is not one: an untrusted certificate and a
     * certificate for another host each have their own words.
     *
     * @param setting how TLS was asked for, shown in the reason (sslmode=verify-full, ca-file=...)
     */
    public static String describe(Throwable failure, String host, String setting) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No subject alternative") || message.contains("No name matching")) {
                return "TLS: the server's certificate does not name host " + host + " (" + setting + "): " + message;
            }
            if (message.contains("PKIX path") || message.contains("unable to find valid certification path")
                    || message.contains("signature check failed")) {
                return "TLS: the server's certificate is not signed by a trusted CA (" + setting + ")";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return "TLS handshake failed (" + setting + "): " + t.getMessage();
            }
        }
        return null;
    }
}
