package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A plain TCP server on a fixed loopback port that accepts connections and closes them at once, standing in for a
 * dependency that only has to accept TCP (a vector store). It can stop listening and listen again on the same port.
 */
public final class TcpListener implements AutoCloseable {
    private final int port = Ports.free();
    private ServerSocket socket;

    public static TcpListener listening() {
        TcpListener l = new TcpListener();
        l.open();
        return l;
    }

    public int port() {
        return port;
    }

    public synchronized void open() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket = s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> {
            ServerSocket mine = socket;
            while (!mine.isClosed()) {
                try (Socket accepted = mine.accept()) {
                    // accepted: that is all a TCP check asks for
                } catch (IOException closed) {
                    // stopped listening
                }
            }
        }, "tcp-listener-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Stops listening: connections are refused from now on. */
    @Override
    public synchronized void close() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
