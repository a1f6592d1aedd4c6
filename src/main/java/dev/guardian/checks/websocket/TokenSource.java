package dev.guardian.checks.websocket;

import io.smallrye.mutiny.Uni;

/** Where the upgrade's credential comes from. Null item: no credential. Failures carry the reason. */
interface TokenSource {
    TokenSource NONE = () -> Uni.createFrom().nullItem();

    Uni<String> token();
}
