package dev.guardian.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of its own with a veth pair to the host, as a pod or a Cloud Run instance has: the process
 * inside reaches the host side at {@link #hostAddress()} and is reached at {@link #address()}, never through the
 * host's loopback. Needs root and iproute2. {@link #close()} removes the link and the namespace.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final String name;
    private final String hostLink;
    private final String peerLink;
    private final String subnet;
    private boolean created;

    private NetworkNamespace() {
        long pid = ProcessHandle.current().pid();
        int n = COUNT.incrementAndGet();
        this.name = "guardian-cc-" + pid + "-" + n;
        String link = "gc" + (pid % 100_000) + "x" + n; // link names have at most 15 characters
        this.hostLink = link + "h";
        this.peerLink = link + "g";
        // One /24 per namespace, unlikely to collide with another run's: 10.231.1.0 to 10.231.250.0.
        this.subnet = "10.231." + ((pid * 7 + n) % 250 + 1);
    }

    public static NetworkNamespace create() {
        Requirements.need("ip", "iproute2");
        removeLeftovers();
        NetworkNamespace ns = new NetworkNamespace();
        try {
            ns.setUp();
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Namespaces of test JVMs that were killed before they could clean up (deleting one removes its veth pair). */
    private static void removeLeftovers() {
        for (String line : Exec.run("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0];
            if (name.startsWith("guardian-cc-") && deadOwner(name)) {
                Exec.run("ip", "netns", "del", name);
            }
        }
    }

    /** Whether the test JVM named in {@code guardian-cc-PID-N} is gone. */
    static boolean deadOwner(String name) {
        String[] parts = name.split("-");
        return parts.length == 4 && parts[2].matches("\\d+") && ProcessHandle.of(Long.parseLong(parts[2])).isEmpty();
    }

    private void setUp() {
        String peer = peerLink;
        ip("netns", "add", name);
        created = true;
        ip("link", "add", hostLink, "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", name);
        ip("addr", "add", hostAddress() + "/24", "dev", hostLink);
        ip("link", "set", hostLink, "up");
        ip("netns", "exec", name, "ip", "addr", "add", address() + "/24", "dev", peer);
        ip("netns", "exec", name, "ip", "link", "set", peer, "up");
        ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Exec.run(cmd, Map.of());
    }

    public String name() {
        return name;
    }

    /** The container's address, where the platform's probes come from outside. */
    public String address() {
        return subnet + ".2";
    }

    /** The host's end of the pair: where the test's dependencies are reachable from inside. */
    public String hostAddress() {
        return subnet + ".1";
    }

    /** The prefix that runs a command inside the namespace. */
    public List<String> exec() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Removes the pair (both ends) and the namespace; safe to call twice or after a failed setup. */
    @Override
    public void close() {
        if (!created) {
            return;
        }
        created = false;
        try {
            Exec.run(List.of("ip", "link", "del", hostLink), Map.of());
        } catch (IllegalStateException alreadyGone) {
            // never created, or removed with the namespace
        }
        Exec.run(List.of("ip", "netns", "del", name), Map.of());
    }
}
