package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.guardian.engine.CheckFailure;
import io.quarkus.websockets.next.CloseReason;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * One probe connection's view of the backend: the frames it received, whether the server closed it, and the
 * timings the health JSON shows. Callbacks arrive on the event loop; the exchange reads frames one by one.
 */
final class Session implements BackendConnector.Listener {
    /** More unsolicited frames than this within one attempt is a flood, not chatter. */
    static final int MAX_UNEXPECTED = 1_000;

    final String token;
    private final List<String> otherTokens;
    private final long startNanos = System.nanoTime();
    private long upgradedNanos = -1;
    private long firstFrameNanos = -1;
    private long exchangeDoneNanos = -1;
    private final Deque<String> frames = new ArrayDeque<>();
    private UniEmitter<? super String> waiter;
    private UniEmitter<? super Void> pongWaiter;
    private CheckFailure terminal;
    private String step = "the first step";
    private boolean closingByUs;
    private boolean pongReceived;
    private Integer closeCode;
    private int unexpected;
    private String lastUnexpected;

    Session(String token, List<String> otherTokens) {
        this.token = token;
        this.otherTokens = otherTokens;
    }

    String substitute(String text, String bearer) {
        String out = text.replace("${session}", token);
        return bearer == null ? out : out.replace("${token}", bearer);
    }

    synchronized void upgraded() {
        upgradedNanos = System.nanoTime();
    }

    synchronized void at(String stepDescription) {
        step = stepDescription;
    }

    /** The exchange passed; Guardian now closes normally, so 1000 is this connection's close code. */
    synchronized void done() {
        exchangeDoneNanos = System.nanoTime();
        if (closeCode == null) {
            closeCode = (int) BackendConnector.DONE.getCode();
        }
    }

    // Emitters are completed outside the lock: completing one runs the rest of the attempt, which may cancel
    // other sessions and take their locks. Holding ours meanwhile could deadlock two event loops.

    @Override
    public void onText(String frame) {
        UniEmitter<? super String> deliver = null;
        Runnable failure = null;
        synchronized (this) {
            if (firstFrameNanos < 0) {
                firstFrameNanos = System.nanoTime();
            }
            if (frame.indexOf('\uFFFD') >= 0) {
                // RFC 6455: a text frame must be valid UTF-8; the decoder put replacement characters in its place.
                failure = fail(new CheckFailure("the backend sent a text frame that is not valid UTF-8: "
                        + Frames.shorten(frame), details()));
            }
            for (String other : failure == null ? otherTokens : List.<String> of()) {
                if (frame.contains(other)) {
                    failure = fail(new CheckFailure("cross-session leak: session " + token + " received a frame "
                            + "carrying session " + other + "'s token: " + Frames.shorten(frame), details()));
                    break;
                }
            }
            if (failure == null) {
                if (waiter != null) {
                    deliver = waiter;
                    waiter = null;
                } else {
                    frames.add(frame);
                }
            }
        }
        if (deliver != null) {
            deliver.complete(frame);
        }
        if (failure != null) {
            failure.run();
        }
    }

    @Override
    public void onBinary(int bytes) {
        synchronized (this) {
            if (firstFrameNanos < 0) {
                firstFrameNanos = System.nanoTime();
            }
        }
        unexpected("(binary frame of " + bytes + " bytes)");
    }

    /** Called before sending a ping, so that a pong arriving before anyone waits still counts. */
    synchronized void expectPong() {
        pongReceived = false;
    }

    @Override
    public void onPong(String payload) {
        UniEmitter<? super Void> w;
        synchronized (this) {
            pongReceived = true;
            w = pongWaiter;
            pongWaiter = null;
        }
        if (w != null) {
            w.complete(null);
        }
    }

    @Override
    public void onError(Throwable error) {
        String message = String.valueOf(error.getMessage());
        Runnable failure;
        synchronized (this) {
            failure = fail(new CheckFailure(message.contains("max message size") || message.contains("too long")
                    ? "the backend sent a message over the size limit (" + message + ")"
                    : "the backend broke the WebSocket protocol: " + message, details()));
        }
        failure.run();
    }

    @Override
    public void onClose(CloseReason reason) {
        Runnable failure = null;
        synchronized (this) {
            closeCode = reason == null ? null : reason.getCode();
            if (!closingByUs) {
                failure = fail(new CheckFailure(closeReason(reason) + " after " + sinceUpgradeMillis() + " ms, before "
                        + step, details()));
            }
        }
        if (failure != null) {
            failure.run();
        }
    }

    /**
     * The client itself closes with 1009 (message over the size limit), 1007 (invalid UTF-8) or 1002 (protocol
     * error) when the backend sends garbage: say what the backend did rather than "closed by the server".
     */
    private static String closeReason(CloseReason reason) {
        if (reason == null) {
            return "closed by the server without a close frame";
        }
        String detail = reason.getMessage() == null || reason.getMessage().isEmpty() ? "" : " (" + reason.getMessage()
                + ")";
        return switch (reason.getCode()) {
            case 1009 -> "the backend sent a message over the size limit; connection closed with 1009" + detail;
            case 1007 -> "the backend sent invalid UTF-8 in a text frame; connection closed with 1007" + detail;
            case 1002 -> "the backend broke the WebSocket protocol; connection closed with 1002" + detail;
            default -> "closed by the server with code " + reason.getCode() + detail;
        };
    }

    synchronized void closingByUs() {
        closingByUs = true;
    }

    /** Counts a frame no step asked for; too many fail the attempt. */
    void unexpected(String frame) {
        Runnable failure = null;
        synchronized (this) {
            unexpected++;
            lastUnexpected = Frames.shorten(frame);
            if (unexpected > MAX_UNEXPECTED) {
                failure = fail(new CheckFailure("flooded: more than " + MAX_UNEXPECTED
                        + " frames that no step expected, last: " + lastUnexpected, details()));
            }
        }
        if (failure != null) {
            failure.run();
        }
    }

    synchronized String lastUnexpected() {
        return lastUnexpected;
    }

    /** Records the terminal failure (the first wins); returns what notifies the waiters, to run unlocked. */
    private Runnable fail(CheckFailure failure) {
        if (terminal == null) {
            terminal = failure;
        }
        CheckFailure cause = terminal;
        UniEmitter<? super String> w = waiter;
        UniEmitter<? super Void> p = pongWaiter;
        waiter = null;
        pongWaiter = null;
        return () -> {
            if (w != null) {
                w.fail(cause);
            }
            if (p != null) {
                p.fail(cause);
            }
        };
    }

    /** The next text frame; fails at once if the server closed the connection or a leak was seen. */
    Uni<String> next() {
        return Uni.createFrom().<String> emitter(emitter -> {
            String frame;
            CheckFailure failure = null;
            synchronized (this) {
                frame = frames.poll();
                if (frame == null) {
                    failure = terminal;
                    if (failure == null) {
                        waiter = emitter;
                        emitter.onTermination(() -> {
                            synchronized (this) {
                                if (waiter == emitter) {
                                    waiter = null;
                                }
                            }
                        });
                        return;
                    }
                }
            }
            if (frame != null) {
                emitter.complete(frame);
            } else {
                emitter.fail(failure);
            }
        });
    }

    Uni<Void> pong() {
        return Uni.createFrom().<Void> emitter(emitter -> {
            boolean received;
            CheckFailure failure;
            synchronized (this) {
                received = pongReceived;
                failure = terminal;
                if (!received && failure == null) {
                    pongWaiter = emitter;
                    return;
                }
            }
            if (received) {
                emitter.complete(null);
            } else {
                emitter.fail(failure);
            }
        });
    }

    synchronized CheckFailure terminal() {
        return terminal;
    }

    private long sinceUpgradeMillis() {
        return Duration.ofNanos(System.nanoTime() - (upgradedNanos > 0 ? upgradedNanos : startNanos)).toMillis();
    }

    /** Timings for the health JSON; microseconds. */
    synchronized Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        if (upgradedNanos > 0) {
            d.put("upgrade_us", (upgradedNanos - startNanos) / 1_000);
        }
        if (firstFrameNanos > 0 && upgradedNanos > 0) {
            d.put("first_frame_us", (firstFrameNanos - upgradedNanos) / 1_000);
        }
        if (exchangeDoneNanos > 0 && upgradedNanos > 0) {
            d.put("round_trip_us", (exchangeDoneNanos - upgradedNanos) / 1_000);
        }
        if (closeCode != null) {
            d.put("close_code", (long) closeCode);
        }
        d.put("unexpected_frames", (long) unexpected);
        if (lastUnexpected != null) {
            d.put("last_unexpected_frame", lastUnexpected);
        }
        return d;
    }
}
