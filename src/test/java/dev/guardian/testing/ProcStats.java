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
