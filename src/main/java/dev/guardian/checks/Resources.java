package dev.guardian.checks;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Acquire, use, release, also when the engine cancels the attempt at its deadline: a connection that arrives after
 * cancellation is closed on arrival, so timed-out attempts leak nothing.
 */
final class Resources {
    private Resources() {
    }

    static <R, T> Uni<T> using(Supplier<Uni<R>> acquire, Function<R, Uni<T>> use, Consumer<R> release) {
        return Uni.createFrom().deferred(() -> {
            AtomicReference<R> held = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Runnable releaseOnce = () -> {
                R r = held.getAndSet(null);
                if (r != null) {
                    release.accept(r);
                }
            };
            return acquire.get()
                    .onItem().invoke(r -> {
                        held.set(r);
                        if (done.get()) {
                            releaseOnce.run();
                        }
                    })
                    .<T>chain(r -> use.apply(r))
                    .onTermination().invoke(() -> {
                        done.set(true);
                        releaseOnce.run();
                    });
        });
    }
}
