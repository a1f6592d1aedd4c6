package dev.guardian.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for servers that must be told their port before they start (Guardian, Postgres, Redis,
 * nginx). Taken below the kernel's ephemeral range (32768 and up here), which every outgoing connection draws its
 * local port from: a port handed out from there could be taken by some test's connection before the server binds
 * it. Each Failsafe fork ({@code guardian.fork}) draws from a slice of its own, in turn, so that test JVMs side by
 * side never hand out the same port. Tests only ever talk to 127.0.0.1.
 */
public final class Ports {
    private static final int FIRST = 20_000;
    private static final int SLICE = 2_000;
    private static final int SLICES = 6;
    private static final int BASE = FIRST + SLICE * Math.floorMod(Integer.getInteger("guardian.fork", 0), SLICES);
    private static final AtomicInteger NEXT = new AtomicInteger();

    private Ports() {
    }

    public static int free() {
        for (int tries = 0; tries < SLICE; tries++) {
            int port = BASE + Math.floorMod(NEXT.getAndIncrement(), SLICE);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + BASE + ".." + (BASE + SLICE - 1));
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
