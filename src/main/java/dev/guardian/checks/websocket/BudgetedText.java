package dev.guardian.checks.websocket;

/**
 * A frame as the regular-expression engine reads it, one character at a time, with a budget of reads: a pattern that
 * backtracks (a {@code .*}-led pattern on 300,000 characters needs billions of reads) is stopped by
 * {@link Exhausted} after {@link #READS} reads instead of holding a thread for minutes.
 */
final class BudgetedText implements CharSequence {
    /** About 10–50 ms of matching: far more than any sane pattern needs on a 1 MiB message. */
    static final long READS = 10_000_000;

    /** The budget ran out. */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super("matching budget exhausted", null, false, false);
        }
    }

    private final String text;
    private final int start;
    private final int end;
    /** Shared with the sub-sequences the engine takes. */
    private final long[] budget;

    BudgetedText(String text, long[] budget) {
        this(text, 0, text.length(), budget);
    }

    private BudgetedText(String text, int start, int end, long[] budget) {
        this.text = text;
        this.start = start;
        this.end = end;
        this.budget = budget;
    }

    @Override
    public char charAt(int index) {
        if (--budget[0] < 0) {
            throw new Exhausted();
        }
        return text.charAt(start + index);
    }

    @Override
    public int length() {
        return end - start;
    }

    @Override
    public CharSequence subSequence(int from, int to) {
        return new BudgetedText(text, start + from, start + to, budget);
    }

    @Override
    public String toString() {
        return text.substring(start, end);
    }
}
