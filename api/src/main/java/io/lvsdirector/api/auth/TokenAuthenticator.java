package io.lvsdirector.api.auth;

import io.dropwizard.auth.Authenticator;
import java.util.Objects;
import java.util.Optional;

/** Dropwizard's view of a {@link TokenFile}. Thread-safe. */
public final class TokenAuthenticator implements Authenticator<String, Caller> {

    private final TokenFile tokens;

    public TokenAuthenticator(TokenFile tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    @Override
    public Optional<Caller> authenticate(String token) {
        return tokens.authenticate(token);
    }
}
