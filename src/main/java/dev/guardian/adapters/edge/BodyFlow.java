package dev.guardian.adapters.edge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * An HTTP body streamed from one side to the other, as a Vert.x pipe would (the target ended when the source ends,
 * left alone when either fails), with its bytes in flight counted against max-buffered ({@link Flow}). A paused
 * source is paused with Vert.x's pause(): Vert.x keeps at most 8 chunks of at most 8 KiB it has already read.
 */
final class BodyFlow extends Flow {
    private final ReadStream<Buffer> from;

    private BodyFlow(Buffered buffered, ReadStream<Buffer> from) {
        super(buffered);
        this.from = from;
    }

    @Override
    protected void read(boolean on) {
        if (on) {
            from.resume();
        } else {
            from.pause();
        }
    }

    /** Completes once the source ended and the target was ended; fails when either fails. */
    static Future<Void> stream(ReadStream<Buffer> from, WriteStream<Buffer> to, Buffered buffered) {
        Promise<Void> result = Promise.promise();
        BodyFlow flow = new BodyFlow(buffered, from);
        from.exceptionHandler(result::tryFail);
        from.endHandler(v -> to.end().onComplete(result));
        from.handler(chunk -> {
            Future<Void> written = to.write(chunk);
            written.onFailure(result::tryFail);
            flow.wrote(chunk.length(), written, to.writeQueueFull());
        });
        to.drainHandler(v -> flow.drained());
        from.resume();
        return result.future().onComplete(done -> {
            flow.end();
            to.drainHandler(null);
            detach(from);
        });
    }

    /** As a pipe does: a source that has ended may refuse to have its handlers changed. */
    private static void detach(ReadStream<Buffer> from) {
        try {
            from.handler(null);
        } catch (RuntimeException ignored) {
            // already ended
        }
        try {
            from.exceptionHandler(null);
        } catch (RuntimeException ignored) {
            // already ended
        }
        try {
            from.endHandler(null);
        } catch (RuntimeException ignored) {
            // already ended
        }
    }
}
