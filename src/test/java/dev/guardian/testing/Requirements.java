package dev.guardian.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The programs the harness starts, checked before it starts them: a missing one fails the test at once with the
 * Debian package that provides it, in one line, instead of an IOException's stack trace in every test.
 */
public final class Requirements {
    private static final Map<String, Boolean> FOUND = new ConcurrentHashMap<>();

    private Requirements() {
    }

    /** Fails unless {@code command} (a name looked up on PATH, or an absolute path) can be executed. */
    public static void need(String command, String debianPackage) {
        if (!FOUND.computeIfAbsent(command, Requirements::executable)) {
            throw new NotInstalled(command + " is not installed: apt-get install " + debianPackage
                    + " (or run ./test, which installs what is missing)");
        }
    }

    /**
     * The test clients' npm packages (src/test/js, pinned by its lock file): node and npm must be there; the packages
     * are installed once with {@code npm ci} when missing, as {@code ./test} does.
     */
    public static synchronized void nodeModules() {
        need("node", "nodejs");
        if (!Files.isDirectory(Path.of("src/test/js/node_modules/ws"))
                || !Files.isDirectory(Path.of("src/test/js/node_modules/playwright-core"))) {
            need("npm", "npm");
            Exec.run(java.util.List.of("npm", "ci", "--prefix", "src/test/js", "--no-audit", "--no-fund"),
                    Map.of());
        }
    }

    /** Fails unless {@code python} can import {@code module} (Debian's python packages, not pip's). */
    public static void needPythonModule(String python, String module, String debianPackage) {
        if (!FOUND.computeIfAbsent(python + " import " + module, k -> imports(python, module))) {
            throw new NotInstalled(python + " cannot import " + module + ": apt-get install " + debianPackage
                    + " (or run ./test, which installs what is missing)");
        }
    }

    private static boolean imports(String python, String module) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import " + module).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean executable(String command) {
        if (command.contains("/")) {
            return Files.isExecutable(Path.of(command));
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** One line, no stack trace: the message says everything there is to do. */
    static final class NotInstalled extends AssertionError {
        private static final long serialVersionUID = 1L;

        NotInstalled(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
