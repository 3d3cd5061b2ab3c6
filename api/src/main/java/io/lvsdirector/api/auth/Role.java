package io.lvsdirector.api.auth;

/** What a token may do. */
public enum Role {
    /** GET anything, and {@code POST /v1/plan} (a dry run changes nothing). */
    READ,
    /** Everything, including PUT, DELETE and drains. */
    ADMIN;

    /** Role names as {@code @RolesAllowed} spells them. */
    public static final String READ_NAME = "read";
    public static final String ADMIN_NAME = "admin";

    /** Whether this role includes {@code required} (admin includes read). */
    public boolean allows(String required) {
        return switch (required) {
            case READ_NAME -> true;
            case ADMIN_NAME -> this == ADMIN;
            default -> false;
        };
    }
}
