package dev.guardian.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A "Postgres" that asks for password authentication with SCRAM-SHA-256 and a salt to be iterated 2^31 - 1 times,
 * the largest count the protocol's integer carries (real servers use 4,096). The client derives its key before it
 * can answer, in the client library's codec, on the event loop that runs the connection: some half an hour of CPU
 * on that loop. No bytes beyond the protocol's own are needed: any server a client talks to without TLS
 * verification (or a pooler in front, or a man in the middle) can send this.
 */
public final class ScramStallServer extends SocketServer {
    /** Postgres' SSLRequest and GSSENCRequest codes: answered "N" (no encryption), the client then goes on. */
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final int ITERATIONS = Integer.MAX_VALUE;

    private final AtomicInteger challenges = new AtomicInteger();

    /** Listens on {@code port} of 127.0.0.1 (a port the test picked before it started Guardian). */
    public ScramStallServer(int port) {
        super(port, "scram-stall");
    }

    /** How many clients were sent the iteration count. */
    public int challenges() {
        return challenges.get();
    }

    @Override
    protected void serve(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        while (true) { // the untyped first packets: encryption requests, then the startup message
            int length = in.readInt();
            int code = in.readInt();
            in.readNBytes(length - 8);
            if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
                break;
            }
            out.writeByte('N');
            out.flush();
        }
        byte[] mechanisms = "SCRAM-SHA-256\0\0".getBytes(StandardCharsets.US_ASCII);
        authentication(out, 10, mechanisms); // AuthenticationSASL
        if (in.readByte() != 'p') {
            return;
        }
        byte[] response = in.readNBytes(in.readInt() - 4); // mechanism\0, int32 length, client-first-message
        String clientFirst = new String(response, StandardCharsets.US_ASCII);
        int nonce = clientFirst.indexOf("r=");
        String clientNonce = clientFirst.substring(nonce + 2).split(",")[0];
        String salt = Base64.getEncoder().encodeToString("guardian-salt-16".getBytes(StandardCharsets.US_ASCII));
        String serverFirst = "r=" + clientNonce + "stall,s=" + salt + ",i=" + ITERATIONS;
        authentication(out, 11, serverFirst.getBytes(StandardCharsets.US_ASCII)); // AuthenticationSASLContinue
        challenges.incrementAndGet();
        while (in.read() >= 0) {
            // the client would answer once it has derived its key; hold the connection until then
        }
    }

    private static void authentication(DataOutputStream out, int type, byte[] data) throws IOException {
        out.writeByte('R');
        out.writeInt(4 + 4 + data.length);
        out.writeInt(type);
        out.write(data);
        out.flush();
    }
}
