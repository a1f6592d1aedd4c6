package dev.guardian.checks.websocket;

/** How frames appear in reasons: short and on one line. */
final class Frames {
    static final int SHOWN = 160;

    private Frames() {
    }

    static String shorten(String frame) {
        String head = frame.length() <= SHOWN * 4 ? frame : frame.substring(0, SHOWN * 4);
        String oneLine = head.replaceAll("\\s+", " ");
        return oneLine.length() <= SHOWN && head.length() == frame.length() ? oneLine
                : oneLine.substring(0, Math.min(SHOWN, oneLine.length())) + "… (" + frame.length() + " chars)";
    }
}
