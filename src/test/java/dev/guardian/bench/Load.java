package dev.guardian.bench;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.guardian.testing.Exec;
import dev.guardian.testing.Requirements;

/** Drives Debian's load generators against one URL and reads their reports. */
final class Load {
    /** Latencies in milliseconds. */
    record Result(String tool, double targetRps, double rps, double p50, double p99, double max, long requests,
            long non2xx) {
    }

    private Load() {
    }

    /** Fixed rate with hey: {@code workers} connections, each limited to rps/workers requests a second. */
    static Result hey(String url, int rps, int seconds) {
        Requirements.need("hey", "hey");
        int workers = Math.max(1, Math.min(50, rps / 100));
        String out = Exec.run(List.of("hey", "-z", seconds + "s", "-c", Integer.toString(workers), "-q",
                Integer.toString(rps / workers), "-t", "30", url), java.util.Map.of());
        long ok = sum(out, "\\[2\\d\\d\\]\\s+(\\d+) responses");
        long all = sum(out, "\\[\\d{3}\\]\\s+(\\d+) responses");
        // Probes answer 503 by design in a fault; what matters is that they answer. Count non-2xx for the record.
        return new Result("hey", rps, num(out, "Requests/sec:\\s+([\\d.]+)"), secs(out, "50%% in ([\\d.]+) secs"),
                secs(out, "99%% in ([\\d.]+) secs"), secs(out, "Slowest:\\s+([\\d.]+) secs"), all, all - ok);
    }

    /** Saturation with wrk: 2 threads, 32 connections. */
    static Result wrk(String url, int seconds) {
        Requirements.need("wrk", "wrk");
        String out = Exec.run(List.of("wrk", "-t2", "-c32", "-d" + seconds + "s", "--latency", url),
                java.util.Map.of());
        Matcher lat = Pattern.compile("Latency\\s+([\\d.]+\\w+)\\s+([\\d.]+\\w+)\\s+([\\d.]+\\w+)").matcher(out);
        double max = lat.find() ? millis(lat.group(3)) : Double.NaN;
        long non2xx = (long) num(out, "Non-2xx or 3xx responses:\\s+(\\d+)");
        return new Result("wrk", Double.NaN, num(out, "Requests/sec:\\s+([\\d.]+)"), wrkPct(out, "50"),
                wrkPct(out, "99"), max, (long) num(out, "(\\d+) requests in"), Double.isNaN(non2xx) ? 0 : non2xx);
    }

    private static double wrkPct(String out, String pct) {
        Matcher m = Pattern.compile("\\s" + pct + "%\\s+([\\d.]+\\w+)").matcher(out);
        return m.find() ? millis(m.group(1)) : Double.NaN;
    }

    private static double millis(String v) {
        Matcher m = Pattern.compile("([\\d.]+)(us|ms|s|m)").matcher(v);
        if (!m.matches()) {
            return Double.NaN;
        }
        double x = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> x / 1000;
            case "ms" -> x;
            case "s" -> x * 1000;
            default -> x * 60_000;
        };
    }

    private static double secs(String out, String regex) {
        return num(out, regex.replace("%%", "%")) * 1000;
    }

    private static double num(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static long sum(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        long total = 0;
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }
}
