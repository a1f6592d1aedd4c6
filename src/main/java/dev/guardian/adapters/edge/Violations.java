package dev.guardian.adapters.edge;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

/**
 * A leg that broke the protocol (a frame over the size limit, invalid UTF-8, a bad opcode) is failed by Vert.x
 * without a close frame: the offender sees its TCP connection end (1006). These name what happened for the other
 * leg's close frame and the metrics.
 */
final class Violations {
    private Violations() {
    }

    /** Whether a leg's exception says why it is failed (a decoder's verdict), rather than that it closed. */
    static boolean explains(Throwable failure) {
        return failure instanceof DecoderException;
    }

    /** The RFC 6455 code Netty assigned to the violation (1002 if none); 1006 when the leg was simply lost. */
    static int code(Throwable failure) {
        if (failure instanceof CorruptedWebSocketFrameException c) {
            return c.closeStatus().code();
        }
        return failure == null ? CloseCodes.ABNORMAL : CloseCodes.PROTOCOL_ERROR;
    }

    /** A close reason of at most 123 bytes: which side and Netty's message (numbers and opcodes, no payload). */
    static String reason(String side, Throwable failure) {
        String text = side + " connection failed: " + (failure.getMessage() == null
                ? failure.getClass().getSimpleName() : failure.getMessage());
        while (text.getBytes(StandardCharsets.UTF_8).length > 123) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }
}
