package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a process holds right now, read from Linux's /proc: threads, open file descriptors, sockets among them,
 * resident memory and CPU time spent.
 */
public record ProcStats(long threads, long fds, long sockets, long rssKb, long cpuMillis) {
    /** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel. */
    private static final long TICKS_PER_SECOND = 100;

    public static ProcStats of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            List<String> status = Files.readAllLines(proc.resolve("status"));
            long fds = 0;
            long sockets = 0;
            try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
                for (Path fd : (Iterable<Path>) entries::iterator) {
                    fds++;
                    if (isSocket(fd)) {
                        sockets++;
                    }
                }
            }
            return new ProcStats(field(status, "Threads:"), fds, sockets, field(status, "VmRSS:"),
                    cpuMillis(pid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** utime + stime from /proc/PID/stat, in milliseconds. */
    public static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces: count fields from the closing parenthesis.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(after[11]) + Long.parseLong(after[12]); // fields 14 and 15
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TCP connections of the process to {@code port} on any address, in any state (connecting, established,
     * closing): the sockets of its fds matched against the kernel's TCP tables by inode.
     */
    public static long tcpConnectionsTo(long pid, int port) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            java.util.Set<String> inodes = new java.util.HashSet<>();
            try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
                for (Path fd : (Iterable<Path>) entries::iterator) {
                    try {
                        String link = Files.readSymbolicLink(fd).toString();
                        if (link.startsWith("socket:[")) {
                            inodes.add(link.substring(8, link.length() - 1));
                        }
                    } catch (IOException closedMeanwhile) {
                        // gone
                    }
                }
            }
            String remotePort = String.format(":%04X", port);
            long count = 0;
            for (String table : List.of("tcp", "tcp6")) {
                Path file = proc.resolve("net").resolve(table);
                if (!Files.exists(file)) {
                    continue;
                }
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && f[2].endsWith(remotePort) && inodes.contains(f[9])) {
                        count++;
                    }
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:[");
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }

    private static long field(List<String> status, String name) {
        return status.stream().filter(l -> l.startsWith(name))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }

    @Override
    public String toString() {
        return "threads " + threads + ", fds " + fds + ", sockets " + sockets + ", VmRSS " + rssKb / 1024 + " MB";
    }
}
