package dev.guardian.checks.websocket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Characters of frames waiting for a step, counted across all the sessions of one check: one bound on the memory a
 * backend can fill with unread frames, however many sessions the check runs (up to 100). Sessions take from it as
 * frames queue and give back as steps read them or the attempt ends.
 */
final class QueuedChars {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    QueuedChars(long limit) {
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    /** @return false, taking nothing, when {@code chars} more would pass the limit */
    boolean take(long chars) {
        long now;
        do {
            now = used.get();
            if (now + chars > limit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + chars));
        return true;
    }

    void give(long chars) {
        used.addAndGet(-chars);
    }
}
