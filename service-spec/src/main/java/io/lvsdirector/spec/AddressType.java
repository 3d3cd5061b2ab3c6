package io.lvsdirector.spec;

import java.util.Locale;

/**
 * Which of a node's addresses a director sends traffic to, by Kubernetes {@code NodeAddress.type}.
 *
 * <p>InternalIP is the default: edge nodes behind a director usually share its L2 segment on their
 * internal interface, which direct routing requires. ExternalIP is for nodes whose internal address
 * is on a network the director cannot reach.
 */
public enum AddressType {
    INTERNAL_IP("InternalIP"),
    EXTERNAL_IP("ExternalIP");

    private final String kubernetesName;

    AddressType(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    /** The {@code NodeAddress.type} string: {@code InternalIP} or {@code ExternalIP}. */
    public String kubernetesName() {
        return kubernetesName;
    }

    /** The other type, used as the fallback when a node has no address of the preferred type. */
    public AddressType other() {
        return this == INTERNAL_IP ? EXTERNAL_IP : INTERNAL_IP;
    }

    /**
     * Parses {@code InternalIP} / {@code ExternalIP}, case-insensitively, also the enum names.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static AddressType parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
        switch (t) {
            case "internalip":
                return INTERNAL_IP;
            case "externalip":
                return EXTERNAL_IP;
            default:
                throw new IllegalArgumentException("address type must be InternalIP or ExternalIP: '" + text + "'");
        }
    }
}
