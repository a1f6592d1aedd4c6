package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real certificates made with openssl in a temporary directory: a CA, a server certificate signed by it that names
 * {@code localhost} only (DNS, no IP address, so connecting to 127.0.0.1 is a host mismatch), and a second CA that
 * signed nothing of the server's. P-256 keys: quick to make, and every server under test speaks them.
 */
public final class Certificates implements AutoCloseable {
    private final Path dir;

    private Certificates(Path dir) {
        this.dir = dir;
    }

    public static Certificates make() {
        try {
            Certificates c = new Certificates(Files.createTempDirectory("guardian-certs-"));
            c.ca("ca", "Guardian Test CA");
            c.ca("other-ca", "Unrelated Test CA");
            c.openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
            Files.writeString(c.dir.resolve("server.ext"), "subjectAltName=DNS:localhost\n"
                    + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
            c.openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ca(String name, String commonName) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + commonName,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    private void openssl(String... args) {
        Requirements.need("openssl", "openssl");
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Exec.run(dir, java.util.List.of(cmd), java.util.Map.of());
    }

    /** The CA that signed the server's certificate (PEM). */
    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** A CA that signed nothing of the server's (PEM). */
    public Path otherCa() {
        return dir.resolve("other-ca.pem");
    }

    /** The server's certificate, for DNS name localhost only (PEM). */
    public Path serverCertificate() {
        return dir.resolve("server.pem");
    }

    /** The server's private key (PKCS#8 PEM, unencrypted). */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    @Override
    public void close() {
        Exec.run("rm", "-rf", dir.toString());
    }
}
