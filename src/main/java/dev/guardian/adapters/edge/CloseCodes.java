package dev.guardian.adapters.edge;

/**
 * Close codes as they cross the edge. A code received on one leg is sent unchanged on the other when RFC 6455 allows
 * it in a close frame. The codes that only describe what happened and may not be sent are mapped:
 * <ul>
 * <li>1005 (a close frame without a status) is sent as 1000 without a reason: the close was orderly, and Vert.x
 * reads an empty close frame as 1000 anyway.</li>
 * <li>1006 (the leg was lost without a close frame) becomes 1001 towards the backend (its client is gone) and 1011
 * towards the client (the server side failed), each with a reason naming what happened.</li>
 * <li>1015 (TLS failure) and any code outside the sendable ranges are treated like 1006.</li>
 * </ul>
 */
final class CloseCodes {
    static final int NORMAL = 1000;
    static final int GOING_AWAY = 1001;
    static final int PROTOCOL_ERROR = 1002;
    static final int NO_STATUS = 1005;
    static final int ABNORMAL = 1006;
    static final int TOO_BIG = 1009;
    static final int INTERNAL_ERROR = 1011;
    static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {
    }

    /** Whether a close frame may carry this code (RFC 6455 section 7.4 and the IANA registry up to 1014). */
    static boolean sendable(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    /** The code to send to the backend when the client's leg ended with {@code code}. */
    static int towardsBackend(int code) {
        return code == NO_STATUS ? NORMAL : sendable(code) ? code : GOING_AWAY;
    }

    /**
     * The code as the {@code code} label of guardian_edge_closes_total: the registered codes 1000-1015 as themselves,
     * the codes applications choose bucketed by range, so that peers cannot make the label take thousands of values.
     */
    static String label(int code) {
        if (code >= 1000 && code <= 1015) {
            return Integer.toString(code);
        }
        if (code >= 3000 && code <= 4999) {
            return code < 4000 ? "3xxx" : "4xxx";
        }
        return "other";
    }

    /** The code to send to the client when the backend's leg ended with {@code code}. */
    static int towardsClient(int code) {
        return code == NO_STATUS ? NORMAL : sendable(code) ? code : INTERNAL_ERROR;
    }
}
