package dev.guardian.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** How long a server's connections (or responses) stay open: the longest, and the most open at once. */
final class Lifetimes<K> {
    private final Map<K, Long> open = new ConcurrentHashMap<>();
    private final AtomicLong longestClosedMillis = new AtomicLong();
    private final AtomicInteger mostOpen = new AtomicInteger();

    void opened(K key) {
        open.put(key, System.nanoTime());
        mostOpen.accumulateAndGet(open.size(), Math::max);
    }

    void closed(K key) {
        Long since = open.remove(key);
        if (since != null) {
            longestClosedMillis.accumulateAndGet((System.nanoTime() - since) / 1_000_000, Math::max);
        }
    }

    int mostOpen() {
        return mostOpen.get();
    }

    /** The longest lifetime so far, counting those still open up to now. */
    long longestMillis() {
        long now = System.nanoTime();
        long longest = longestClosedMillis.get();
        for (long since : open.values()) {
            longest = Math.max(longest, (now - since) / 1_000_000);
        }
        return longest;
    }
}
