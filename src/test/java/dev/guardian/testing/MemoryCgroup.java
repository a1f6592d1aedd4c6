package dev.guardian.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real memory limit, as a container runtime sets one: a child of this JVM's own cgroup v1 memory cgroup with
 * {@code memory.limit_in_bytes}. A process enters it before it execs (see {@link #enter()}), so everything it
 * allocates, its tmpfs pages included, is charged to it; past the limit the kernel reclaims, then OOM-kills.
 */
public final class MemoryCgroup implements AutoCloseable {
    private static final Path V1_ROOT = Path.of("/sys/fs/cgroup/memory");
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final Path dir;

    private MemoryCgroup(Path dir) {
        this.dir = dir;
    }

    /** A child cgroup limited to {@code bytes}, or empty (with the reason) when none can be created here. */
    public static Optional<MemoryCgroup> create(long bytes, StringBuilder whyNot) {
        try {
            Path own = ownCgroup();
            removeLeftovers(own);
            Path dir = own.resolve("guardian-cc-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet());
            Files.createDirectory(dir);
            MemoryCgroup cg = new MemoryCgroup(dir);
            try {
                Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(bytes));
                if (cg.limit() != bytes) {
                    throw new IOException("the kernel kept a limit of " + cg.limit() + " bytes");
                }
            } catch (IOException | RuntimeException e) {
                cg.close();
                throw e;
            }
            return Optional.of(cg);
        } catch (IOException | RuntimeException e) {
            whyNot.append(e);
            return Optional.empty();
        }
    }

    /** Empty cgroups of test JVMs that were killed before they could remove them. */
    private static void removeLeftovers(Path own) throws IOException {
        try (var children = Files.list(own)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (Files.isDirectory(child) && name.startsWith("guardian-cc-") && NetworkNamespace.deadOwner(name)
                        && Files.readAllLines(child.resolve("cgroup.procs")).isEmpty()) {
                    Files.delete(child);
                }
            }
        }
    }

    /** This process's memory cgroup (cgroup v1), from /proc/self/cgroup. */
    private static Path ownCgroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                Path p = V1_ROOT.resolve(f[2].substring(1));
                if (Files.isWritable(p)) {
                    return p;
                }
                throw new IOException(p + " is not writable");
            }
        }
        throw new IOException("no cgroup v1 memory controller in /proc/self/cgroup");
    }

    /** The prefix that puts the command into this cgroup and then execs it (so its pid stays the same). */
    public List<String> enter() {
        return List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", dir.resolve("cgroup.procs").toString());
    }

    public long limit() {
        return read("memory.limit_in_bytes");
    }

    /** The highest charge seen: resident memory, page cache and tmpfs of every process in it. */
    public long maxUsage() {
        return read("memory.max_usage_in_bytes");
    }

    /** Processes the kernel OOM-killed in it (memory.oom_control's oom_kill, kernels 4.13+); -1 when not shown. */
    public long oomKills() {
        try {
            for (String line : Files.readAllLines(dir.resolve("memory.oom_control"))) {
                if (line.startsWith("oom_kill ")) {
                    return Long.parseLong(line.substring("oom_kill ".length()).trim());
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Whether {@code pid} is a member. */
    public boolean contains(long pid) {
        try {
            return Files.readAllLines(dir.resolve("cgroup.procs")).contains(Long.toString(pid));
        } catch (IOException e) {
            return false;
        }
    }

    private long read(String file) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(file)).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    /** Kills what is left in it, then removes it. */
    @Override
    public void close() {
        try {
            for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            await("cgroup " + dir + " empty").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.readAllLines(dir.resolve("cgroup.procs")).isEmpty());
            Files.delete(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + dir + ": " + e, e);
        }
    }
}
