package dev.guardian.checks.websocket;

/** How frames appear in reasons: short and on one line. */
final class Frames {
    static final int SHOWN = 160;

    private Frames() {
    }

    static String shorten(String frame) {
        String oneLine = frame.replaceAll("\\s+", " ");
        return oneLine.length() <= SHOWN ? oneLine : oneLine.substring(0, SHOWN) + "… (" + frame.length() + " chars)";
    }
}
