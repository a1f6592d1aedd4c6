package dev.guardian.adapters.edge;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The edge's reads are at most {@link EdgeLimits#READ_BYTES} (Netty's default grows to 64 KiB): what one read hands
 * on after a receiver's queue is full, or after the loop went over max-buffered, is that much at most, unless it
 * completes a larger frame. Chat messages fit many to a read either way.
 */
final class Reads {
    private Reads() {
    }

    static void small(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            small(base.channel());
        }
    }

    static void small(WebSocketBase leg) {
        if (leg instanceof WebSocketInternal internal) {
            small(internal.channelHandlerContext().channel());
        }
    }

    private static void small(Channel channel) {
        channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, EdgeLimits.READ_BYTES));
    }
}
