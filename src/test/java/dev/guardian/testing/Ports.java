package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for servers that must be told their port before they start (Guardian, Postgres, Redis,
 * nginx). Taken below the kernel's ephemeral range (32768 and up here), which every outgoing connection draws its
 * local port from: a port handed out from there could be taken by some test's connection before the server binds
 * it. Each JVM (the test JVMs run side by side) claims a slice of its own by listening on the slice's first port for
 * as long as it lives, and hands out the rest of the slice in turn, so no two JVMs hand out the same port. Tests
 * only ever talk to 127.0.0.1.
 */
public final class Ports {
    private static final int FIRST = 20_000;
    private static final int SLICE = 2_000;
    private static final int SLICES = 6;
    /** Held open until the JVM exits: the claim on this JVM's slice. */
    private static final ServerSocket CLAIM = claimSlice();
    private static final AtomicInteger NEXT = new AtomicInteger();

    private Ports() {
    }

    public static int free() {
        int base = CLAIM.getLocalPort();
        for (int tries = 1; tries < SLICE; tries++) {
            int port = base + 1 + Math.floorMod(NEXT.getAndIncrement(), SLICE - 1);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + (base + 1) + ".." + (base + SLICE - 1));
    }

    private static ServerSocket claimSlice() {
        for (int slice = 0; slice < SLICES; slice++) {
            try {
                return new ServerSocket(FIRST + slice * SLICE, 1, InetAddress.getLoopbackAddress());
            } catch (IOException taken) {
                // another JVM's slice: try the next one
            }
        }
        throw new UncheckedIOException(new IOException("all " + SLICES + " port slices from " + FIRST
                + " are claimed by other JVMs"));
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
