package dev.guardian.checks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * A check's connections: acquire, use, release, with at most one connection in progress at a time. The engine
 * cancels an attempt at its deadline, but a connect already handed to the network may still complete: the next
 * attempt waits until it settled, and a connection arriving after its attempt ended is released on arrival. A server
 * that accepts TCP and never answers (a frozen server, a pooler in front of a dead database) therefore holds at most
 * one socket of Guardian's, never one per attempt. A connect that can be {@linkplain Pending#abort aborted} is, when
 * its attempt ends: then no connect outlives its attempt, even one a peer keeps alive by dripping bytes.
 */
public final class Connections<R> {
    private final Consumer<R> release;
    /** Completes when the latest acquisition settled (arrived or failed), or was never started. */
    private CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);

    /**
     * A connect in progress, and how to give it up: {@code abort} closes whatever it has opened so far, so that the
     * connect fails soon after (it may be called after the connection arrived, and must then do no harm).
     */
    public record Pending<R>(Uni<R> connection, Runnable abort) {
    }

    public Connections(Consumer<R> release) {
        this.release = release;
    }

    public <T> Uni<T> using(Supplier<Uni<R>> acquire, Function<R, Uni<T>> use) {
        return using(acquire, Function.identity(), use);
    }

    /** {@code whileWaiting} may bound the wait for the connection (a handshake deadline) without losing it. */
    public <T> Uni<T> using(Supplier<Uni<R>> acquire, Function<Uni<R>, Uni<R>> whileWaiting, Function<R, Uni<T>> use) {
        return using(acquire, whileWaiting, use, release);
    }

    /** With a release of this attempt's own (which must release the connection too). */
    public <T> Uni<T> using(Supplier<Uni<R>> acquire, Function<Uni<R>, Uni<R>> whileWaiting, Function<R, Uni<T>> use,
            Consumer<R> release) {
        return run(() -> new Pending<>(acquire.get(), () -> {
        }), whileWaiting, use, release);
    }

    /** A connect that the end of its attempt aborts if it has not arrived by then. */
    public <T> Uni<T> aborting(Supplier<Pending<R>> acquire, Function<R, Uni<T>> use) {
        return run(acquire, Function.identity(), use, release);
    }

    private <T> Uni<T> run(Supplier<Pending<R>> acquire, Function<Uni<R>, Uni<R>> whileWaiting,
            Function<R, Uni<T>> use, Consumer<R> release) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> previous;
            CompletableFuture<Void> mine = new CompletableFuture<>();
            synchronized (this) {
                previous = settled;
                settled = mine;
            }
            Held<R> held = new Held<>(release);
            AtomicBoolean started = new AtomicBoolean();
            CompletableFuture<R> acquired = new CompletableFuture<>();
            Uni<R> connection = Uni.createFrom().completionStage(previous.copy()).chain(() -> {
                if (started.compareAndSet(false, true)) {
                    Pending<R> pending = acquire.get();
                    held.connecting(pending.abort());
                    pending.connection().subscribe().with(r -> {
                        held.arrived(r);
                        mine.complete(null);
                        acquired.complete(r);
                    }, failure -> {
                        held.failed();
                        mine.complete(null);
                        acquired.completeExceptionally(failure);
                    });
                }
                return Uni.createFrom().completionStage(acquired.copy());
            });
            return whileWaiting.apply(connection).chain(use::apply).onTermination().invoke(() -> {
                held.finish();
                if (started.compareAndSet(false, true)) {
                    // Cancelled before connecting: the next attempt waits for the same earlier connection we did.
                    previous.whenComplete((v, e) -> mine.complete(null));
                }
            });
        });
    }

    /**
     * The connection of one attempt: released exactly once, when the attempt ends or on arrival if it ended; a
     * connect still in progress when the attempt ends is aborted.
     */
    private static final class Held<R> {
        private final Consumer<R> release;
        private R resource;
        private Runnable abort;
        private boolean finished;

        Held(Consumer<R> release) {
            this.release = release;
        }

        synchronized void connecting(Runnable abortIt) {
            abort = abortIt;
        }

        synchronized void arrived(R r) {
            abort = null;
            if (finished) {
                release.accept(r);
            } else {
                resource = r;
            }
        }

        synchronized void failed() {
            abort = null;
        }

        void finish() {
            R r;
            Runnable stop;
            synchronized (this) {
                finished = true;
                r = resource;
                resource = null;
                stop = abort;
                abort = null;
            }
            if (r != null) {
                release.accept(r);
            } else if (stop != null) {
                stop.run(); // outside the lock: aborting fails the connect, whose callback takes it
            }
        }
    }
}
