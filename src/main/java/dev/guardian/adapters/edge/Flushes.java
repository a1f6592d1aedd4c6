package dev.guardian.adapters.edge;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.impl.WebSocketInternal;

/**
 * A frame read on one leg is written to the other leg outside that leg's own read, and Vert.x then flushes each
 * write: one system call per frame. Netty's flush consolidation defers those flushes to the end of the event loop's
 * current round, so the frames forwarded from one read leave in one write (as nginx does), at a cost of microseconds.
 */
final class Flushes {
    /** Flush anyway after this many pending flushes. */
    private static final int EXPLICIT_FLUSH_AFTER = 64;

    private Flushes() {
    }

    static void consolidate(WebSocketBase leg) {
        if (leg instanceof WebSocketInternal internal) {
            internal.channelHandlerContext().pipeline().addFirst("edge-flush-consolidation",
                    new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
        }
    }
}
