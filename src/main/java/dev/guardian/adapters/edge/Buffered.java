package dev.guardian.adapters.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes one event loop's connections hold in flight: data the edge has written towards a peer (a WebSocket
 * frame's payload, a chunk of an HTTP body) that the kernel has not taken yet, against the loop's share of
 * max-buffered. Only that loop touches it; the total is published for scrapes.
 * <p>
 * Under the limit each {@link Flow} is bounded by its own write queue. Past it, every flow that still holds bytes
 * stops reading from its sender, and a flow that holds none may forward one read before it waits for that to be
 * sent: receivers that keep up keep their flows going (a stalled one cannot hold the others up), and the stalled ones
 * add nothing until the loop is back under half the limit.
 */
final class Buffered {
    private final long limit;
    private final long resumeBelow;
    private final AtomicLong published = new AtomicLong();
    private long held;
    private boolean over;
    private Flow head;

    Buffered(long limit) {
        this.limit = limit;
        this.resumeBelow = limit / 2;
    }

    /** The bytes held now, as last published by the loop (read by scrapes from any thread). */
    long held() {
        return published.getOpaque();
    }

    long limit() {
        return limit;
    }

    boolean over() {
        return over;
    }

    void add(Flow f) {
        f.next = head;
        if (head != null) {
            head.prev = f;
        }
        head = f;
    }

    void remove(Flow f) {
        if (f.prev == null && head != f) {
            return;
        }
        if (f.prev != null) {
            f.prev.next = f.next;
        } else {
            head = f.next;
        }
        if (f.next != null) {
            f.next.prev = f.prev;
        }
        f.prev = null;
        f.next = null;
    }

    void grew(long n) {
        held += n;
        published.setOpaque(held);
        if (!over && held > limit) {
            over = true;
            for (Flow f = head; f != null; f = f.next) {
                if (f.held > 0) {
                    f.overBudget(true);
                }
            }
        }
    }

    void shrank(long n) {
        held -= n;
        published.setOpaque(held);
        if (over && held <= resumeBelow) {
            over = false;
            for (Flow f = head; f != null;) {
                Flow next = f.next;
                f.overBudget(false);
                f = next;
            }
        }
    }
}
