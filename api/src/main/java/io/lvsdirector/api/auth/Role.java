package io.lvsdirector.api.auth;

/** What a token may do. */
public enum Role {
    /** GET anything, and {@code POST /v1/plan} (a dry run changes nothing). */
    READ,
    /** Everything, including PUT, DELETE and drains. */
    ADMIN,
    /**
     * keepalived's notify hook: only {@code PUT /v1/ha/instances/NAME} (report a VRRP state) and
     * {@code GET /v1/ha}. Not even the service list: a token kept where keepalived's scripts can read
     * it should open as little as possible.
     */
    NOTIFY;

    /** Role names as {@code @RolesAllowed} spells them. */
    public static final String READ_NAME = "read";
    public static final String ADMIN_NAME = "admin";
    public static final String NOTIFY_NAME = "notify";

    /** Whether this role includes {@code required} (admin includes read and notify; notify nothing else). */
    public boolean allows(String required) {
        return switch (required) {
            case READ_NAME -> this == READ || this == ADMIN;
            case ADMIN_NAME -> this == ADMIN;
            case NOTIFY_NAME -> this == NOTIFY || this == ADMIN;
            default -> false;
        };
    }
}
