package dev.guardian.adapters.edge;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The proxied WebSockets of one event loop, as an intrusive list: adding and removing cost O(1) and no allocation,
 * and one periodic sweep visits them all (10,000 connections are a few hundred microseconds of comparisons) instead
 * of a timer per connection. Only that event loop touches it.
 */
final class Tunnels {
    /** This loop's frame counters. */
    final FrameCounters counters;
    /** The bytes this loop's connections hold in flight. */
    final Buffered buffered;
    /**
     * A coarse clock: System.nanoTime() as of the last sweep. Frames stamp their activity with it instead of reading
     * the clock; quiet periods are judged to within one sweep period.
     */
    long now = System.nanoTime();
    private Tunnel head;
    private int size;

    void add(Tunnel t) {
        t.next = head;
        if (head != null) {
            head.prev = t;
        }
        head = t;
        size++;
    }

    void remove(Tunnel t) {
        if (t.prev == null && head != t) {
            return; // not in the list
        }
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            head = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        size--;
    }

    Tunnels(FrameCounters counters, Buffered buffered) {
        this.counters = counters;
        this.buffered = buffered;
    }

    int size() {
        return size;
    }

    /** Pings, pong timeouts, due rotations and drain closes, hung closes. */
    void sweep(long now) {
        this.now = now;
        for (Tunnel t = head; t != null;) {
            Tunnel next = t.next;
            t.tick(now);
            t = next;
        }
    }

    /** Gives every open connection a close moment at random inside the window from now. */
    void scheduleDrain(long now, long windowNanos) {
        for (Tunnel t = head; t != null; t = t.next) {
            if (!t.closing()) {
                t.closeAtNanos = now + (windowNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(windowNanos + 1));
                t.scheduled = CloseCause.DRAIN;
            }
        }
    }

    /** Closes every open connection now (not ready, with closeOnNotReady). */
    void closeAll(CloseCause why, int code, String clientReason, String backendReason) {
        for (Tunnel t = head; t != null;) {
            Tunnel next = t.next;
            t.closeByEdge(why, code, clientReason, backendReason);
            t = next;
        }
    }

    /** Cuts every remaining connection (the drain's deadline passed). */
    void cutAll() {
        for (Tunnel t = head; t != null;) {
            Tunnel next = t.next;
            t.cut();
            t = next;
        }
    }
}
