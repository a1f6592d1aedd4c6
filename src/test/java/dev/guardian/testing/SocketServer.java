package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A misbehaving server written by hand on plain sockets, one thread per connection, for what a real server library
 * would not let a test do (answer no ping, send an unsolicited pong, ask for an absurd SCRAM iteration count). Listens
 * on 127.0.0.1; closing it closes every connection.
 */
public abstract class SocketServer implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final String name;

    /** @param port 0 for any free port */
    protected SocketServer(int port, String name) {
        this.name = name;
        try {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Talks to one client on its own thread; the connection is closed when this returns or throws. */
    protected abstract void serve(Socket client) throws IOException;

    public int port() {
        return server.getLocalPort();
    }

    /** Connections open right now. */
    public int open() {
        return sockets.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> run(client), name + "-" + client.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void run(Socket client) {
        try (client) {
            serve(client);
        } catch (IOException gone) {
            // the client went away
        } finally {
            sockets.remove(client);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
