package dev.guardian.checks.http;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.guardian.config.PropertyDoc;

/** The auth service: its health endpoint, OIDC discovery document or JWKS must answer 2xx. */
@Singleton
public class AuthChecks extends HttpKind {
    static final String KIND = "auth";

    @Inject
    public AuthChecks(AuthConfig config) {
        super(KIND, config.instances(), "the auth service");
    }

    @Override
    public List<PropertyDoc> properties() {
        return properties(PropertyDoc.configuresACheck("guardian.auth.url", "HTTP(S) URL that answers 2xx "
                + "when the auth service is ready: its health endpoint, OIDC discovery document or JWKS. Redirects "
                + "are not followed. Query values and user info are treated as secrets"));
    }
}
