package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs helper commands (initdb, psql, kill) and fails loudly with their output. */
public final class Exec {
    private Exec() {
    }

    public static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Prefixes a command so that it runs as {@code user} when the tests run as root (Postgres refuses root). */
    public static List<String> as(String user, String... command) {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"));
        }
        cmd.addAll(List.of(command));
        return cmd;
    }

    public static String run(List<String> command, Map<String, String> env) {
        return run(null, command, env);
    }

    /** Runs {@code command} in the directory {@code dir} (null: the current one). */
    public static String run(java.nio.file.Path dir, List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String run(String... command) {
        return run(List.of(command), Map.of());
    }

    public static void signal(ProcessHandle process, String signal) {
        run("kill", "-" + signal, Long.toString(process.pid()));
    }
}
