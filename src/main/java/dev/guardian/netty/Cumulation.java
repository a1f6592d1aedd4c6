package dev.guardian.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.impl.WebSocketInternal;

/**
 * Where a WebSocket connection's frame decoder keeps the part of a frame it has not received whole yet.
 * <p>
 * Netty's default keeps it in the read buffer itself (pooled direct memory) and appends the next reads to it, growing
 * that buffer by its write position rather than by what it still holds, and never shrinking it. A connection read
 * faster than its frames complete (a flooding peer: up to 16 reads a turn) grew it to 1-2 MiB each, allocated outside
 * Netty's pool chunks and held for the connection's life. Measured with the JVM image's 48 MB cap on direct memory:
 * 100 flooded edge legs took all of it while the bytes they held were under 1 MB, and so did the WebSocket check's 12
 * sessions against a backend streaming 60 KB frames (a health response then lost its body to the failed
 * allocation). Here a read that does not fit in the buffer as it is moves what is left of the frame and the read
 * into a heap buffer sized to those bytes: a connection keeps at most one read buffer of direct memory, and its
 * part-way frame is bounded by the frame size limit.
 */
public final class Cumulation {
    private static final ByteToMessageDecoder.Cumulator SIZED = Cumulation::cumulate;

    private Cumulation() {
    }

    /** Sets the sized cumulation on {@code ws}'s frame decoders; called once, as soon as the connection is open. */
    public static void sized(WebSocketBase ws) {
        if (ws instanceof WebSocketInternal internal) {
            for (var entry : internal.channelHandlerContext().pipeline()) {
                ChannelHandler handler = entry.getValue();
                if (handler instanceof ByteToMessageDecoder decoder) {
                    decoder.setCumulator(SIZED);
                }
            }
        }
    }

    private static ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (!cumulation.isReadable() || cumulation == in || fitsAsItIs(cumulation, in)) {
            return ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
        }
        try {
            int held = cumulation.readableBytes() + in.readableBytes();
            ByteBuf merged = alloc.heapBuffer(held);
            return merged.writeBytes(cumulation).writeBytes(in);
        } finally {
            cumulation.release();
            in.release();
        }
    }

    /** The read fits in the room the buffer already has, so appending it does not reallocate. */
    private static boolean fitsAsItIs(ByteBuf cumulation, ByteBuf in) {
        return in.readableBytes() <= cumulation.maxFastWritableBytes() && cumulation.refCnt() == 1
                && !cumulation.isReadOnly();
    }
}
