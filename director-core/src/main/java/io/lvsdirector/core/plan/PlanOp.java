package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.util.Objects;

/**
 * One change of a plan: the kernel op, with the name of the service it belongs to. The name is the
 * director's idea (logs, metrics and status report per service); the op is ipvs-netlink's, applied as
 * it is.
 *
 * @param name the service's name; for an owned service no longer desired, its key in words
 * @param op what to tell the kernel
 */
public record PlanOp(String name, IpvsOp op) {

    public PlanOp {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
    }

    /** {@code ipvsadm -A}. */
    public static PlanOp addService(String name, VirtualServerKey service, VirtualServerSpec spec) {
        return new PlanOp(name, new IpvsOp.AddService(new VirtualServer(service, spec)));
    }

    /** {@code ipvsadm -E}: scheduler, flags or persistence edited in place. */
    public static PlanOp updateService(String name, VirtualServerKey service, VirtualServerSpec spec) {
        return new PlanOp(name, new IpvsOp.UpdateService(new VirtualServer(service, spec)));
    }

    /** {@code ipvsadm -D}: the kernel removes the service's real servers with it. */
    public static PlanOp deleteService(String name, VirtualServerKey service) {
        return new PlanOp(name, new IpvsOp.DeleteService(service));
    }

    /** {@code ipvsadm -a}. */
    public static PlanOp addRealServer(String name, VirtualServerKey service, RealServerKey realServer,
            RealServerSpec spec) {
        return new PlanOp(name, new IpvsOp.AddRealServer(service, new RealServer(realServer, spec)));
    }

    /** {@code ipvsadm -e}: weight, forwarding or thresholds edited in place. */
    public static PlanOp updateRealServer(String name, VirtualServerKey service, RealServerKey realServer,
            RealServerSpec spec) {
        return new PlanOp(name, new IpvsOp.UpdateRealServer(service, new RealServer(realServer, spec)));
    }

    /** {@code ipvsadm -d}. */
    public static PlanOp deleteRealServer(String name, VirtualServerKey service, RealServerKey realServer) {
        return new PlanOp(name, new IpvsOp.DeleteRealServer(service, realServer));
    }

    /** The kernel identity of the service the op touches. */
    public VirtualServerKey service() {
        return op.service();
    }

    /**
     * The real server the op touches, or {@code null} for an op on the service itself.
     */
    public RealServerKey realServer() {
        if (op instanceof IpvsOp.AddRealServer a) {
            return a.realServer().key();
        } else if (op instanceof IpvsOp.UpdateRealServer u) {
            return u.realServer().key();
        } else if (op instanceof IpvsOp.DeleteRealServer d) {
            return d.realServer();
        }
        return null;
    }

    /**
     * A short kind, the {@code op} label of {@code lvs_director_apply_failures_total} and of
     * {@code /v1/plan}: {@code add_service}, {@code update_real_server}, ...
     */
    public String kind() {
        if (op instanceof IpvsOp.AddService) {
            return "add_service";
        } else if (op instanceof IpvsOp.UpdateService) {
            return "update_service";
        } else if (op instanceof IpvsOp.DeleteService) {
            return "delete_service";
        } else if (op instanceof IpvsOp.AddRealServer) {
            return "add_real_server";
        } else if (op instanceof IpvsOp.UpdateRealServer) {
            return "update_real_server";
        }
        return "delete_real_server";
    }

    /** The op as an ipvsadm command line: {@code -a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 100}. */
    public String describe() {
        return op.describe();
    }
}
