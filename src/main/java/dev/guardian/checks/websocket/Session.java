package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.guardian.engine.CheckFailure;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;

/**
 * One probe connection's view of the backend: the frames it received, whether the server closed it, and the timings
 * the health JSON shows. Callbacks arrive on the checks' event loop; the exchange reads frames one by one. Frames
 * waiting for a step are bounded in number, and in size by a budget that all the check's sessions share; without a
 * script none are kept at all, and none once the attempt ended.
 */
final class Session implements Connector.Listener {
    /** More unsolicited frames than this within one attempt is a flood, not chatter. */
    static final int MAX_UNEXPECTED = 1_000;
    /** Characters of frames that may wait for a step to read them, in all the sessions of a check together. */
    static final long MAX_QUEUED_CHARS = 4L * Backend.MAX_MESSAGE_SIZE;

    final String token;
    private final SessionRegistry registry;
    private final boolean keepsFrames;
    private final QueuedChars budget;
    /** The attempt is over: frames are no longer kept, only checked for leaks. */
    private boolean ended;
    private final long startNanos = System.nanoTime();
    private long upgradedNanos = -1;
    private long firstFrameNanos = -1;
    private long exchangeDoneNanos = -1;
    private final Deque<String> frames = new ArrayDeque<>();
    private long queuedChars;
    private UniEmitter<? super String> waiter;
    private UniEmitter<? super Void> pongWaiter;
    private String awaitedPong;
    private boolean pongReceived;
    private CheckFailure terminal;
    private String step = "the first step";
    private boolean closingByUs;
    private Integer closeCode;
    private int unexpected;
    private String lastUnexpected;

    /**
     * @param keepsFrames false without a script: no step will ever read a frame, so frames are only counted
     * @param budget      the check's bound on characters of frames waiting, shared with its other sessions
     */
    Session(String token, SessionRegistry registry, boolean keepsFrames, QueuedChars budget) {
        this.token = token;
        this.registry = registry;
        this.keepsFrames = keepsFrames;
        this.budget = budget;
    }

    /** The attempt ended: what is queued goes back to the budget, and frames arriving from now on are not kept. */
    synchronized void end() {
        ended = true;
        frames.clear();
        budget.give(queuedChars);
        queuedChars = 0;
    }

    String substitute(String text, String bearer) {
        return Script.substitute(text, token, bearer);
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
            closeCode = (int) Connector.DONE;
        }
    }

    // Emitters are completed outside the lock: completing one runs the rest of the attempt, which may cancel other
    // sessions and take their locks. Holding ours meanwhile could deadlock.

    @Override
    public void onText(String frame) {
        Runnable after;
        synchronized (this) {
            if (firstFrameNanos < 0) {
                firstFrameNanos = System.nanoTime();
            }
            after = receive(frame);
        }
        after.run();
    }

    /** Under the lock: decides what the frame means; returns what to run unlocked. */
    private Runnable receive(String frame) {
        if (frame.indexOf('\uFFFD') >= 0) {
            // RFC 6455: a text frame must be valid UTF-8; the decoder put replacement characters in its place.
            return fail(new CheckFailure("the backend sent a text frame that is not valid UTF-8: "
                    + Frames.shorten(frame), details()));
        }
        for (Session owner : registry.owners(frame)) {
            if (owner != this) {
                Runnable failure = fail(new CheckFailure("cross-session leak: session " + token + " received a frame "
                        + "carrying session " + owner.token + "'s token: " + Frames.shorten(frame), details()));
                // This session may have finished (or belong to an attempt that ended): the owner, still waiting
                // for its reply, names the leak too, so the attempt does whichever connection the frame reached.
                return () -> {
                    failure.run();
                    owner.leakedTo("session " + token + "'s connection", frame);
                };
            }
        }
        if (waiter != null) {
            UniEmitter<? super String> deliver = waiter;
            waiter = null;
            return () -> deliver.complete(frame);
        }
        if (ended) {
            return () -> {
            };
        }
        if (!keepsFrames) {
            return countUnexpected(frame);
        }
        if (!budget.take(frame.length())) {
            return fail(new CheckFailure("flooded: more than " + budget.limit() + " characters of frames waiting "
                    + "for a step, last: " + Frames.shorten(frame), details()));
        }
        frames.add(frame);
        queuedChars += frame.length();
        return () -> {
        };
    }

    /** Another connection received this session's reply: the backend routed it astray. */
    void leakedTo(String where, String frame) {
        Runnable failure;
        synchronized (this) {
            failure = fail(new CheckFailure("cross-session leak: the reply for session " + token + " reached " + where
                    + ": " + Frames.shorten(frame), details()));
        }
        failure.run();
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

    /** Called before sending a ping, so that its pong arriving before anyone waits still counts. */
    synchronized void expectPong(String payload) {
        awaitedPong = payload;
        pongReceived = false;
    }

    /** Only the pong that echoes our ping counts: an unsolicited pong proves nothing about this connection. */
    @Override
    public void onPong(Buffer payload) {
        UniEmitter<? super Void> w;
        synchronized (this) {
            if (awaitedPong == null || !awaitedPong.equals(payload.toString())) {
                return;
            }
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
                    || message.contains("too big") ? "the backend sent a message over the size limit (" + message + ")"
                    : message.contains("UTF-8") ? "the backend sent a text frame that is not valid UTF-8: " + message
                    : "the backend broke the WebSocket protocol: " + message, details()));
        }
        failure.run();
    }

    @Override
    public void onClose(Short code, String reason) {
        Runnable failure = null;
        synchronized (this) {
            closeCode = code == null ? null : (int) code;
            if (!closingByUs) {
                failure = fail(new CheckFailure(closeReason(code, reason) + " after " + sinceUpgradeMillis()
                        + " ms, before " + step, details()));
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
    static String closeReason(Short code, String reason) {
        if (code == null) {
            return "closed by the server without a close frame";
        }
        String detail = reason == null || reason.isEmpty() ? "" : " (" + reason + ")";
        return switch (code) {
            case 1009 -> "the backend sent a message over the size limit; connection closed with 1009" + detail;
            case 1007 -> "the backend sent a text frame that is not valid UTF-8; connection closed with 1007" + detail;
            case 1002 -> "the backend broke the WebSocket protocol; connection closed with 1002" + detail;
            default -> "closed by the server with code " + code + detail;
        };
    }

    synchronized void closingByUs() {
        closingByUs = true;
    }

    /** Counts a frame no step asked for; too many fail the attempt. */
    void unexpected(String frame) {
        Runnable failure;
        synchronized (this) {
            failure = countUnexpected(frame);
        }
        failure.run();
    }

    private Runnable countUnexpected(String frame) {
        unexpected++;
        if (unexpected > MAX_UNEXPECTED) {
            return fail(new CheckFailure("flooded: more than " + MAX_UNEXPECTED + " frames that no step expected, last: "
                    + Frames.shorten(frame), details()));
        }
        lastUnexpected = Frames.shorten(frame);
        return () -> {
        };
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
                if (frame != null) {
                    queuedChars -= frame.length();
                    budget.give(frame.length());
                } else {
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
