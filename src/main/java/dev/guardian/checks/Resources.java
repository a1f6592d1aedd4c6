package dev.guardian.checks;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Acquire, use, release, also when the engine cancels the attempt at its deadline. The acquisition is subscribed
 * here, apart from the attempt, so that a connection arriving after the deadline (a frozen server resumed) still
 * reaches us and is released on arrival: timed-out attempts leak nothing.
 */
public final class Resources {
    private Resources() {
    }

    public static <R, T> Uni<T> using(Supplier<Uni<R>> acquire, Function<R, Uni<T>> use, Consumer<R> release) {
        return using(acquire, Function.identity(), use, release);
    }

    /** {@code whileWaiting} may bound the wait for the resource (a deadline) without losing a late arrival. */
    public static <R, T> Uni<T> using(Supplier<Uni<R>> acquire, Function<Uni<R>, Uni<R>> whileWaiting,
            Function<R, Uni<T>> use, Consumer<R> release) {
        return Uni.createFrom().deferred(() -> {
            Held<R> held = new Held<>(release);
            CompletableFuture<R> acquired = new CompletableFuture<>();
            acquire.get().subscribe().with(r -> {
                held.arrived(r);
                acquired.complete(r);
            }, acquired::completeExceptionally);
            return whileWaiting.apply(Uni.createFrom().completionStage(acquired)).<T> chain(r -> use.apply(r))
                    .onTermination().invoke(held::finish);
        });
    }

    private static final class Held<R> {
        private final Consumer<R> release;
        private R resource;
        private boolean finished;

        Held(Consumer<R> release) {
            this.release = release;
        }

        synchronized void arrived(R r) {
            if (finished) {
                release.accept(r);
            } else {
                resource = r;
            }
        }

        synchronized void finish() {
            finished = true;
            if (resource != null) {
                R r = resource;
                resource = null;
                release.accept(r);
            }
        }
    }
}
