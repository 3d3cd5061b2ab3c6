package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.health.ProbeTarget;
import io.netty.channel.unix.IntegerUnixChannelOption;

/**
 * What is particular to a probe {@linkplain io.lvsdirector.core.model.HealthCheck.Via#VIP via the
 * VIP}, kept out of the checker's I/O path: which route its socket takes (mark and source address,
 * from the reconcile loop's {@link ProbeRoutes}) and how a failure is told, so that the reason names
 * the VIP and what most likely broke.
 */
final class ViaVip {

    /**
     * {@code setsockopt(SOL_SOCKET, SO_MARK)} (1, 36 on Linux): Netty 4.1's epoll transport has no
     * named option for it, but sets any integer option by level and number. Needs CAP_NET_ADMIN.
     */
    static final IntegerUnixChannelOption SO_MARK = new IntegerUnixChannelOption("SO_MARK", 1, 36);

    static final String NO_ROUTES = "probes via the VIP are not wired to this checker";
    static final String NEEDS_EPOLL = "probes via the VIP need the epoll transport (SO_MARK); this checker runs nio";

    private ViaVip() {
    }

    /**
     * The reason of a probe not sent because its path is {@linkplain ProbeRoutes.Route#pending() not
     * made yet}: {@code HealthProber} does not count it.
     */
    static final String NOT_SENT = ProbeRoutes.Route.NOT_YET.problem();

    /** Whether {@code result} is a probe not sent because its path is not made yet. */
    static boolean notSent(ProbeResult result) {
        return result.outcome() == ProbeResult.Outcome.DOWN && NOT_SENT.equals(result.reason());
    }

    /** The route of {@code target}'s next connection, or one that says why there is none. */
    static ProbeRoutes.Route route(ProbeRoutes routes, ProbeTarget target, boolean epoll) {
        if (!epoll) {
            return ProbeRoutes.Route.none(NEEDS_EPOLL);
        }
        return routes.route(target.address());
    }

    /**
     * A failed probe's reason, told as what was observed via the VIP. A timeout is the signature of a
     * node without the VIP on {@code lo} (it drops the packet: not its address, and it does not
     * forward) or without ARP settings that keep it quiet; a refusal means the node took the packet
     * as its own but nothing listens on VIP:port. Other reasons (HTTP 500, tls: ...) keep their words
     * and say which way they were seen.
     */
    static String reason(ProbeTarget target, String reason) {
        return reason(target, reason, AcceptLocal.SYSTEM);
    }

    /**
     * As {@link #reason(ProbeTarget, String)}; a timeout of a VIP this director holds while
     * {@code accept_local} is off everywhere names that instead: then every node's check via the VIP
     * times out, and the nodes are not what broke.
     */
    static String reason(ProbeTarget target, String reason, AcceptLocal acceptLocal) {
        String where = endpoint(target);
        switch (reason) {
            case "timeout":
                return acceptLocal.dropsAnswersFrom(target.vip())
                        ? "no answer via VIP " + where + " (timeout: this director holds the VIP and "
                                + "net.ipv4.conf.*.accept_local is 0, so the answers are dropped as martians; "
                                + "set net.ipv4.conf.all.accept_local=1)"
                        : "no answer via VIP " + where + " (timeout: is the VIP on the node's lo?)";
            case "connect refused":
                return "refused via VIP " + where + " (the node takes the VIP's packets, but nothing listens on "
                        + where + ")";
            case "connection reset":
                return "connection reset via VIP " + where;
            default:
                return reason.startsWith("no probe path") || reason.equals(NEEDS_EPOLL) || reason.equals(NO_ROUTES)
                        ? reason
                        : reason + " (via VIP " + where + ")";
        }
    }

    private static String endpoint(ProbeTarget target) {
        String host = io.lvsdirector.ipvs.IpAddresses.toText(target.vip());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.check().port();
    }
}
