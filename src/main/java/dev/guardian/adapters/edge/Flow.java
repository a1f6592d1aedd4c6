package dev.guardian.adapters.edge;

import io.vertx.core.Future;

/**
 * One direction of one proxied connection (client to backend, or back): the bytes written towards the receiver
 * that it has not taken yet, and whether the sender's side is read. The sender is paused while the receiver's write
 * queue is full, and while the loop is over its {@link Buffered} limit and this flow still holds bytes.
 */
abstract class Flow {
    private final Buffered buffered;
    /** Bytes written towards the receiver, not yet taken by the kernel. */
    long held;
    private boolean queueFull;
    private boolean overBudget;
    private boolean reading = true;
    private boolean ended;
    /** The intrusive list of {@link Buffered}. */
    Flow prev;
    Flow next;

    Flow(Buffered buffered) {
        this.buffered = buffered;
        buffered.add(this);
    }

    /** {@code n} bytes were written towards the receiver; {@code full}: its write queue is over its mark now. */
    final void wrote(int n, Future<Void> written, boolean full) {
        held += n;
        buffered.grew(n);
        written.onComplete(ar -> sent(n));
        queueFull |= full;
        overBudget |= buffered.over();
        apply();
    }

    private void sent(int n) {
        held -= n;
        buffered.shrank(n);
        if (held == 0 && overBudget) {
            overBudget = false; // this receiver keeps up: one more read may go
            apply();
        }
    }

    /** The receiver's write queue drained below its low mark. */
    final void drained() {
        queueFull = false;
        apply();
    }

    final void overBudget(boolean over) {
        if (overBudget != over) {
            overBudget = over;
            apply();
        }
    }

    /** Whether the sender's side is paused now. */
    final boolean paused() {
        return !reading;
    }

    /**
     * This direction is over (its connection is closing): the sender is read again, so that its close frame is seen,
     * and what it still sends is dropped rather than held. Bytes still held are counted off as they are sent.
     */
    final void end() {
        buffered.remove(this);
        ended = true;
        apply();
    }

    private void apply() {
        boolean read = ended || !queueFull && !overBudget;
        if (read != reading) {
            reading = read;
            read(read);
        }
    }

    /** Starts or stops reading from the sender. */
    protected abstract void read(boolean on);
}
