package dev.guardian.testing;

import java.util.ArrayList;
import java.util.List;

/** When each of a series of calls started (attempts, requests), for tests that check the pauses between them. */
public final class StartTimes {
    private final List<Long> nanos = new ArrayList<>();

    /** Notes a start now; returns its index, from 0. */
    public synchronized int note() {
        nanos.add(System.nanoTime());
        return nanos.size() - 1;
    }

    public synchronized int count() {
        return nanos.size();
    }

    /** gaps[i]: from start i to start i + 1, in milliseconds. */
    public synchronized List<Long> gapsMillis() {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < nanos.size(); i++) {
            gaps.add((nanos.get(i) - nanos.get(i - 1)) / 1_000_000);
        }
        return gaps;
    }
}
