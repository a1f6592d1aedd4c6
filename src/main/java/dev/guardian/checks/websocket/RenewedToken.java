package dev.guardian.checks.websocket;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Secrets;
import dev.guardian.engine.Backoff;
import io.smallrye.mutiny.Uni;

/**
 * A token obtained from somewhere (minted, or asked of an identity provider), kept until it is due for renewal. One
 * request at a time: callers arriving meanwhile share it. A failure is kept and answered to every caller until its
 * backoff (1 s doubling to 60 s, with jitter, reset by a success) has passed, so a refusing or broken provider is
 * not asked again on every attempt. The previous token leaves the secret scrubber when a new one replaces it.
 */
final class RenewedToken implements TokenSource {
    /** A token and how long it is valid. */
    record Issued(String token, Duration lifetime) {
    }

    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2);

    private final Supplier<Uni<Issued>> obtain;
    private final Secrets secrets;
    private final Backoff backoff;
    private String token;
    private Instant renewAt = Instant.MIN;
    private Uni<String> pending;
    private CheckFailure failure;
    private Instant retryAt = Instant.MIN;
    private int failures;

    RenewedToken(Supplier<Uni<Issued>> obtain, Secrets secrets) {
        this(obtain, secrets, BACKOFF);
    }

    /** With another backoff than 1 s to 60 s: tests that watch it reset. */
    RenewedToken(Supplier<Uni<Issued>> obtain, Secrets secrets, Backoff backoff) {
        this.obtain = obtain;
        this.secrets = secrets;
        this.backoff = backoff;
    }

    @Override
    public synchronized Uni<String> token() {
        Instant now = Instant.now();
        if (token != null && now.isBefore(renewAt)) {
            return Uni.createFrom().item(token);
        }
        if (failure != null && now.isBefore(retryAt)) {
            return Uni.createFrom().failure(failure);
        }
        if (pending == null) {
            pending = Uni.createFrom().deferred(obtain::get).onItemOrFailure().invoke(this::settled).map(Issued::token)
                    .memoize().indefinitely();
        }
        return pending;
    }

    private synchronized void settled(Issued issued, Throwable error) {
        pending = null;
        Instant now = Instant.now();
        if (error == null) {
            secrets.rotate(token, issued.token());
            token = issued.token();
            Duration lifetime = issued.lifetime();
            Duration margin = lifetime.dividedBy(2).compareTo(Duration.ofSeconds(30)) < 0 ? lifetime.dividedBy(2)
                    : Duration.ofSeconds(30);
            renewAt = now.plus(lifetime).minus(margin);
            failure = null;
            failures = 0;
        } else {
            failures++;
            failure = error instanceof CheckFailure cf ? cf : new CheckFailure("could not obtain a token: "
                    + error.getMessage());
            retryAt = now.plus(backoff.delay(failures, ThreadLocalRandom.current().nextDouble()));
        }
    }
}
