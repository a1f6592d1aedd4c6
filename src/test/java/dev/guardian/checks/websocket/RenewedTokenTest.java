package dev.guardian.checks.websocket;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.guardian.engine.Backoff;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Secrets;
import dev.guardian.testing.StartTimes;
import io.smallrye.mutiny.Uni;

/**
 * A token source asked by a caller every few milliseconds, as attempts ask it: a refusal is answered from memory until
 * its backoff has passed, and the backoff counts refusals since the last token issued, so after a burst and a token
 * the next refusal is retried after the minimum again.
 */
class RenewedTokenTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(640), 0);

    @Test
    void afterARefusalBurstAndATokenTheNextRefusalIsRetriedAfterTheMinimum() {
        // 7 refusals (retried after 20, 40, 80, 160, 320, 640, 640 ms), a token valid for no time (renewed at once),
        // then refusals again.
        Provider provider = new Provider("FFFFFFF" + "S" + "FFF");
        RenewedToken token = new RenewedToken(provider::issue, new Secrets(), FAST);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2)).until(() -> {
            token.token().onFailure().recoverWithItem("refused").await().atMost(Duration.ofSeconds(1));
            return provider.done();
        });
        List<Long> gaps = provider.gapsMillis();
        String figures = "gaps between requests to the provider (ms): " + gaps;
        System.out.println("token backoff: " + figures);
        assertTrue(gaps.get(5) >= 640 && gaps.get(6) >= 640, figures);
        long afterToken = gaps.get(8);
        assertTrue(afterToken >= 20 && afterToken < 320, "the first refusal after a token was retried after "
                + afterToken + " ms: the backoff did not start again from 20 ms; " + figures);
        assertTrue(gaps.get(9) >= 40 && gaps.get(9) < 320, figures);
    }

    /** An identity provider that refuses (F) or issues a token valid for no time (S), in order. */
    private static final class Provider {
        private final String outcomes;
        private final StartTimes requests = new StartTimes();

        Provider(String outcomes) {
            this.outcomes = outcomes;
        }

        Uni<RenewedToken.Issued> issue() {
            int n = requests.note();
            if (n < outcomes.length() && outcomes.charAt(n) == 'S') {
                return Uni.createFrom().item(new RenewedToken.Issued("token-" + n, Duration.ZERO));
            }
            return Uni.createFrom().failure(new CheckFailure("token endpoint refused request " + (n + 1)));
        }

        boolean done() {
            return requests.count() > outcomes.length();
        }

        List<Long> gapsMillis() {
            return requests.gapsMillis();
        }
    }
}
