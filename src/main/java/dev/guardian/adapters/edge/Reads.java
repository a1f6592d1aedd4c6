package dev.guardian.adapters.edge;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The edge's reads from clients are at most {@link EdgeLimits#READ_BYTES} (Netty's default grows to 64 KiB): what one
 * read hands on after a receiver's queue is full, or after the loop went over max-buffered, is that much at most,
 * unless it completes a larger frame. Chat messages fit many to a read either way. It must be set before a
 * connection's first read (Netty keeps the strategy it started reading with), which is why it is set at the client's
 * accept and cannot be for a backend leg: Vert.x's WebSocket client has read the 101 before the edge sees the leg,
 * so backend reads stay at Netty's 64 KiB.
 */
final class Reads {
    private Reads() {
    }

    /** At a client's accept, before its first read. */
    static void small(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            base.channel().config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048,
                    EdgeLimits.READ_BYTES));
        }
    }
}
