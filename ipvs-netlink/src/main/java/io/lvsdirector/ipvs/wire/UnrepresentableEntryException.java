package io.lvsdirector.ipvs.wire;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A reply that parsed cleanly (every length and size right, every required attribute present) but
 * describes a service or real server the public records cannot hold: another tool wrote something
 * into the shared table that this library would never write, such as a persistence netmask of
 * {@code 255.0.255.0} or a weight of 100000.
 *
 * <p>A subclass of {@link WireFormatException} so that callers which treat every unreadable reply
 * alike keep doing so; readers of whole tables catch this one and leave the entry out, while a
 * truly malformed message (truncated, a bad length) stays a plain {@code WireFormatException} and
 * still fails the read: there, nothing after the fault can be trusted.
 */
public final class UnrepresentableEntryException extends WireFormatException {
    private static final long serialVersionUID = 1L;

    private final String service;
    private final transient VirtualServerKey serviceKey;
    private final String realServer;
    private final transient RealServerKey realServerKey;
    private final String reason;

    /**
     * @param service the service as ipvsadm prints it ({@code TCP 198.18.0.100:80}), as far as it
     *     could be read; {@code null} when the reply does not carry it (a destination reply, whose
     *     service the caller knows)
     * @param serviceKey the service's key, when that much was representable
     * @param realServer the real server as text ({@code 198.18.0.21:80}), {@code null} for a service
     * @param realServerKey the real server's key, when representable
     * @param reason why the records refuse it
     */
    public UnrepresentableEntryException(String service, VirtualServerKey serviceKey, String realServer,
            RealServerKey realServerKey, String reason, Throwable cause) {
        super(describe(service, realServer, reason), cause);
        this.service = service;
        this.serviceKey = serviceKey;
        this.realServer = realServer;
        this.realServerKey = realServerKey;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The service as text, when the reply carried it. */
    public Optional<String> service() {
        return Optional.ofNullable(service);
    }

    /** The service's key, when the reply carried a representable one. */
    public Optional<VirtualServerKey> serviceKey() {
        return Optional.ofNullable(serviceKey);
    }

    /** The real server as text; empty for a service. */
    public Optional<String> realServer() {
        return Optional.ofNullable(realServer);
    }

    /** The real server's key, when representable; empty for a service. */
    public Optional<RealServerKey> realServerKey() {
        return Optional.ofNullable(realServerKey);
    }

    /** Why the public records refuse the entry. */
    public String reason() {
        return reason;
    }

    private static String describe(String service, String realServer, String reason) {
        StringBuilder b = new StringBuilder("kernel ");
        b.append(realServer == null ? "service" : "real server");
        if (service != null) {
            b.append(' ').append(service);
        }
        if (realServer != null) {
            b.append(service == null ? " " : " -> ").append(realServer);
        }
        return b.append(" cannot be represented: ").append(reason).toString();
    }
}
