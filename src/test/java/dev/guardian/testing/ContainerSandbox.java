package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs Guardian the way a container runtime would run it for one manifest: the image's files owned by uid 1001
 * (as the Dockerfiles' {@code COPY --chown}), a network namespace of its own, a private mount namespace whose root
 * is read-only with only the manifest's volumes writable (emptyDir as a fresh tmpfs, a ConfigMap's files bound
 * read-only), the manifest's (or the image's) uid and gid with no supplementary groups, no_new_privs and no
 * capabilities as its securityContext says, and its memory limit as a real cgroup limit. {@link #close()} undoes
 * all of it: the process, the cgroup, the namespace and the staged files.
 */
public final class ContainerSandbox implements AutoCloseable {
    private static final Path WORK = Path.of("target", "container-contract");
    private static final AtomicInteger COUNT = new AtomicInteger();
    /** What a container image's PATH holds; nothing else of the test's environment is passed on. */
    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final PodManifest manifest;
    private final ImageDefinition image;
    private final Path stage;
    private final NetworkNamespace network;
    private final long uid;
    private final long gid;
    private MemoryCgroup memory;
    private final StringBuilder notes = new StringBuilder();

    private ContainerSandbox(PodManifest manifest, ImageDefinition image, NetworkNamespace network) throws IOException {
        this.manifest = manifest;
        this.image = image;
        this.network = network;
        this.stage = stageRoot(manifest).resolve("run-" + ProcessHandle.current().pid() + "-"
                + COUNT.incrementAndGet());
        this.uid = manifest.runAsUser().orElse(image.user());
        this.gid = manifest.runAsGroup().orElse(manifest.runAsUser().isPresent() ? manifest.runAsUser().getAsLong()
                : image.group());
        if (manifest.runAsNonRoot() && uid == 0) {
            throw new AssertionError(manifest + " says runAsNonRoot but the user is 0");
        }
    }

    /**
     * Where the image's files and volumes are staged: under target/, unless a volume mounted in the sandbox (its /tmp
     * at least) would hide them there, as it does for a checkout under /tmp.
     */
    private static Path stageRoot(PodManifest manifest) {
        Path work = WORK.toAbsolutePath().normalize();
        boolean hidden = Stream.concat(manifest.mounts().stream().map(PodManifest.Mount::path), Stream.of("/tmp"))
                .map(Path::of).anyMatch(work::startsWith);
        return hidden ? Path.of("/var/tmp", "guardian-container-contract") : work;
    }

    /** Prepares everything but the process; needs root, iproute2 and util-linux. */
    public static ContainerSandbox prepare(PodManifest manifest, ImageDefinition image) {
        Requirements.need("unshare", "util-linux");
        Requirements.need("setpriv", "util-linux");
        Requirements.need("mount", "mount");
        NetworkNamespace network = NetworkNamespace.create();
        try {
            ContainerSandbox s = new ContainerSandbox(manifest, image, network);
            Files.createDirectories(s.stage);
            return s;
        } catch (IOException e) {
            network.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            network.close();
            throw e;
        }
    }

    public NetworkNamespace network() {
        return network;
    }

    public long uid() {
        return uid;
    }

    public long gid() {
        return gid;
    }

    public Optional<MemoryCgroup> memory() {
        return Optional.ofNullable(memory);
    }

    /** What the sandbox could not apply as the manifest says, for the test output. */
    public String notes() {
        return notes.toString();
    }

    /**
     * Guardian for this sandbox: the image's files (a copy of the jar's application, or of the native executable),
     * the image's JVM options for the jar, {@code env} as the whole environment, launched through the sandbox.
     */
    public GuardianProcess guardian(Map<String, String> env) {
        GuardianProcess g = new GuardianProcess().onlyEnvironment(env);
        Path app = stage.resolve("image");
        if (GuardianProcess.nativeBinary()) {
            // Dockerfile.native's ENTRYPOINT runs the executable with no argument at all.
            Path binary = app.resolve("guardian");
            copy(GuardianProcess.binaryUnderTest(), binary);
            g.binary(binary.toString()).maxHeap(null);
        } else {
            copy(Path.of(System.getProperty("guardian.jar", "target/quarkus-app/quarkus-run.jar")).getParent(), app);
            g.jar(app.resolve("quarkus-run.jar").toString(), "GUARDIAN_PORT")
                    .jvm(image.jvmOptions().toArray(String[]::new));
        }
        Exec.run("chown", "-R", image.user() + ":" + image.group(), app.toString());
        List<String> launcher = new ArrayList<>(limitMemory());
        launcher.addAll(network.exec());
        launcher.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", mountScript(), "sandbox"));
        return g.launchedBy(launcher);
    }

    /** The prefix that enters a memory cgroup limited as the manifest says; none if that cannot be done here. */
    private List<String> limitMemory() {
        if (manifest.memoryLimitBytes().isEmpty()) {
            notes.append("no memory limit in the manifest\n");
            return List.of();
        }
        long bytes = manifest.memoryLimitBytes().getAsLong();
        StringBuilder whyNot = new StringBuilder();
        memory = MemoryCgroup.create(bytes, whyNot).orElse(null);
        if (memory != null) {
            return memory.enter();
        }
        notes.append("no memory cgroup could be created (").append(whyNot).append("): the limit of ").append(bytes)
                .append(" bytes is NOT enforced; only the JVM's own heap flags from ").append(image.file())
                .append(" bound the heap\n");
        return List.of();
    }

    /**
     * The shell script run inside the private mount namespace: every mount but /proc, /sys and /dev read-only,
     * then the manifest's volumes, then the drop to the container's user (exec: the pid stays Guardian's).
     */
    private String mountScript() {
        StringBuilder s = new StringBuilder("set -e\n");
        s.append("""
                while read -r dev mp fs opts rest; do
                  mp=$(printf '%b' "$mp")
                  case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue;; esac
                  case "$fs" in nsfs) continue;; esac
                  case "$opts" in ro|ro,*) continue;; esac
                  mount -o remount,bind,ro "$mp"
                done < /proc/self/mounts
                """);
        List<PodManifest.Mount> mounts = new ArrayList<>(manifest.mounts());
        if (!manifest.readOnlyRootFilesystem()) {
            // Cloud Run's filesystem is writable and in memory; the one place Guardian writes is /tmp (Vert.x's file
            // cache, the JVM's hsperfdata): a tmpfs there, charged to the memory limit like Cloud Run's.
            mounts.add(new PodManifest.Mount("/tmp", false, java.util.OptionalLong.empty(), null));
            notes.append("the manifest does not ask for a read-only root (Cloud Run's is writable, in memory): "
                    + "emulated as a read-only root with a tmpfs at /tmp\n");
        }
        int n = 0;
        for (PodManifest.Mount m : mounts) {
            n++;
            s.append(mountPoint(Path.of(m.path()), n));
            if (m.emptyDir()) {
                s.append("mount -t tmpfs -o ").append(m.sizeLimitBytes().isPresent()
                        ? "size=" + m.sizeLimitBytes().getAsLong() + "," : "").append("mode=0777,nosuid,nodev");
                s.append(m.readOnly() ? ",ro" : "").append(" tmpfs ").append(quote(m.path())).append('\n');
            } else {
                Path dir = stage.resolve("volume-" + n);
                write(dir, m.files());
                s.append("mount --bind ").append(quote(dir.toString())).append(' ').append(quote(m.path()))
                        .append("\nmount -o remount,bind,ro ").append(quote(m.path())).append('\n');
            }
        }
        s.append("unset PWD OLDPWD # set by this shell, not by a container runtime\n");
        s.append("exec setpriv --reuid=").append(uid).append(" --regid=").append(gid).append(" --clear-groups");
        if (manifest.noNewPrivileges()) {
            s.append(" --no-new-privs");
        }
        if (manifest.dropsAllCapabilities()) {
            s.append(" --inh-caps=-all --bounding-set=-all");
        }
        s.append(" -- \"$@\"\n");
        return s.toString();
    }

    /**
     * A mount point the host lacks (e.g. /etc/guardian) is made without touching the host: a read-only overlay of
     * its nearest existing parent with a staged directory that holds it.
     */
    private String mountPoint(Path path, int n) {
        if (Files.isDirectory(path)) {
            return "";
        }
        Path parent = path.getParent();
        while (parent != null && !Files.isDirectory(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || parent.getParent() == null) {
            throw new AssertionError("cannot make the mount point " + path + " without writing the host's root");
        }
        Path layer = stage.resolve("layer-" + n);
        try {
            Files.createDirectories(layer.resolve(parent.relativize(path)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "mount -t overlay overlay -o lowerdir=" + layer + ":" + parent + " " + quote(parent.toString()) + "\n";
    }

    private static void write(Path dir, Map<String, String> files) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(dir.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        Exec.run("mkdir", "-p", to.getParent().toString());
        Exec.run("cp", "-r", from.toString(), to.toString());
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Ends what is left in the cgroup, removes it, the namespace and the staged files; tries each even if one fails. */
    @Override
    public void close() {
        RuntimeException first = null;
        if (memory != null) {
            try {
                memory.close();
            } catch (RuntimeException e) {
                first = e;
            }
        }
        try {
            network.close();
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            Exec.run("rm", "-rf", stage.toString());
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
