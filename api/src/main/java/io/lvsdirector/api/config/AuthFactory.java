package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.validation.ValidationMethod;
import io.lvsdirector.api.auth.TokenFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code auth:} bearer tokens for the REST API. On by default.
 *
 * <pre>
 * auth:
 *   enabled: true
 *   tokenFile: /etc/lvs-director/tokens   # lines "ROLE NAME TOKEN", ROLE admin | read | notify; chmod 600, owned by the server's user
 * </pre>
 */
public class AuthFactory {

    /**
     * Whether requests need a token. Turning it off makes every caller an admin: only for a lab,
     * or an app port bound to a trusted address.
     */
    @JsonProperty
    private boolean enabled = true;

    /**
     * The token file (see {@link TokenFile}); kept out of the YAML so that the config can live in
     * configuration management without secrets. Required when {@link #enabled}. Must be owned by the
     * server's user with no group/other access (chmod 600), or the server and {@code check} refuse it.
     */
    @JsonProperty
    private Path tokenFile = Path.of("/etc/lvs-director/tokens");

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Path getTokenFile() {
        return tokenFile;
    }

    public void setTokenFile(Path tokenFile) {
        this.tokenFile = tokenFile;
    }

    @JsonIgnore
    @ValidationMethod(message = "auth.tokenFile is required while auth.enabled is true")
    public boolean isTokenFileSetWhenEnabled() {
        return !enabled || tokenFile != null;
    }

    /**
     * Reads the token file, which must be private to this process's user.
     *
     * @throws IOException if it cannot be read
     * @throws io.lvsdirector.api.auth.UnsafeTokenFileException if group or others have any access to it,
     *     or another user owns it
     * @throws IllegalArgumentException naming the malformed line (never a token)
     */
    public TokenFile buildTokens() throws IOException {
        return buildTokens(TokenFile.processUser());
    }

    /**
     * Reads the token file as {@link #buildTokens()}, for a server that runs as {@code owner} ({@code check
     * --user}: Ansible validates as root a file the service user owns).
     */
    public TokenFile buildTokens(String owner) throws IOException {
        try {
            return TokenFile.load(tokenFile, owner);
        } catch (IOException e) {
            throw new IOException("cannot read the token file " + tokenFile + " (auth.tokenFile): "
                    + e.getClass().getSimpleName(), e);
        }
    }
}
