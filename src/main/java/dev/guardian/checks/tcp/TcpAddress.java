package dev.guardian.checks.tcp;

import dev.guardian.config.Problems;

/** {@code host:port}, or {@code [::1]:port}. */
record TcpAddress(String host, int port) {

    /** @return the address, or null after refusing */
    static TcpAddress parse(Problems problems, String property, String raw) {
        String v = raw.trim();
        int colon = v.lastIndexOf(':');
        String host = colon <= 0 ? "" : v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(v.substring(colon + 1));
            if (!host.isEmpty() && !host.matches(".*[\\s/@?#].*") && port > 0 && port < 65_536) {
                return new TcpAddress(host, port);
            }
        } catch (RuntimeException invalid) {
            // refused below
        }
        problems.refuse(property, v.matches("[A-Za-z0-9.:\\[\\]-]{1,100}") ? v : null,
                "use host:port, such as vector-store:6333");
        return null;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
