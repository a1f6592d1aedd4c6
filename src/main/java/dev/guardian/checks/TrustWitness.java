package dev.guardian.checks;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;

/**
 * The JDK's trust manager for a CA file, remembering why it refused a certificate. The Postgres client reports a
 * refused certificate as "SSL handshake failed" and drops the cause; with this in its trust options the reason can
 * still tell an untrusted certificate from one for another host (the JDK checks both here, during the handshake).
 */
public final class TrustWitness extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager trust;
    private volatile CertificateException refusal;

    private TrustWitness(X509ExtendedTrustManager trust) {
        this.trust = trust;
    }

    /** Witnesses the trust manager built from {@code options}: the same checks, the host's name included. */
    public static TrustWitness of(TrustOptions options, Vertx vertx) {
        try {
            for (TrustManager tm : options.getTrustManagerFactory(vertx).getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x509) {
                    return new TrustWitness(x509);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the trusted certificates", e);
        }
        throw new IllegalStateException("no X.509 trust manager for the trusted certificates");
    }

    /** Forgets the last refusal, before a new handshake. */
    public void forget() {
        refusal = null;
    }

    /** Why the latest certificate was refused; null when none was since {@link #forget}. */
    public CertificateException refusal() {
        return refusal;
    }

    private interface Verification {
        void run() throws CertificateException;
    }

    private void witness(Verification verification) throws CertificateException {
        try {
            verification.run();
        } catch (CertificateException e) {
            refusal = e;
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        witness(() -> trust.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        witness(() -> trust.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        witness(() -> trust.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        trust.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }
}
