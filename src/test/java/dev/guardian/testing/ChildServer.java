package dev.guardian.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A server the tests run as a child process on a loopback port, and can freeze, resume and end for real. */
public abstract class ChildServer implements AutoCloseable {
    protected final int port;
    protected Process process;

    protected ChildServer(int port) {
        this.port = port;
    }

    public int port() {
        return port;
    }

    protected void launch(List<String> command, ProcessBuilder.Redirect output, String what, BooleanSupplier ready) {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await(what + " on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(ready::getAsBoolean);
    }

    protected boolean listening() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGSTOP: the kernel still accepts connections, the server answers nothing. */
    public void freeze() {
        Exec.signal(process.toHandle(), "STOP");
    }

    public void resume() {
        Exec.signal(process.toHandle(), "CONT");
    }

    /** Resumes the process if frozen, sends {@code signal} and waits for it to end. */
    protected void end(String signal) {
        if (process != null && process.isAlive()) {
            resume();
            Exec.signal(process.toHandle(), signal);
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
