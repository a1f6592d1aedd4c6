package dev.guardian.checks.http;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.guardian.config.PropertyDoc;

/** Any other HTTP dependency of the backend: {@code guardian.http.<name>.url} answering 2xx when ready. */
@Singleton
public class HttpChecks extends HttpKind {
    static final String KIND = "http";

    @Inject
    public HttpChecks(HttpConfig config) {
        super(KIND, config.instances(), "the server");
    }

    @Override
    public List<PropertyDoc> properties() {
        return properties(PropertyDoc.configuresACheck("guardian.http.url", "HTTP(S) URL that answers 2xx "
                + "when the dependency is ready; `guardian.http.<name>.url` names each (an LLM gateway, a vector "
                + "store). Redirects are not followed; user info becomes Basic credentials; query values and user "
                + "info are treated as secrets"));
    }
}
