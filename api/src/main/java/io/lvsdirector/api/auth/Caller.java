package io.lvsdirector.api.auth;

import java.security.Principal;
import java.util.Objects;

/**
 * Who made a request: the name given to its token in the token file (logged; the token never is)
 * and its role.
 */
public record Caller(String name, Role role) implements Principal {

    /** The caller when authentication is off: everything is allowed. */
    public static final Caller ANONYMOUS_ADMIN = new Caller("anonymous", Role.ADMIN);

    public Caller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    @Override
    public String getName() {
        return name;
    }
}
