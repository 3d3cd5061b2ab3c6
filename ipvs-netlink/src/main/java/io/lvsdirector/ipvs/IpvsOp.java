package io.lvsdirector.ipvs;

import java.util.Objects;

/**
 * One change to the IPVS table: the unit of {@link Ipvs#apply batching}. Each op is one netlink
 * request and gets its own acknowledgement.
 */
public sealed interface IpvsOp {

    /** The service this op is about. */
    VirtualServerKey service();

    /** The op as an ipvsadm command line, for messages and logs: {@code -A -t 10.0.0.1:80 -s rr}. */
    String describe();

    /** {@code ipvsadm -A}: add a service; EEXIST if it exists. */
    record AddService(VirtualServer virtualServer) implements IpvsOp {
        public AddService {
            Objects.requireNonNull(virtualServer, "virtualServer");
        }

        @Override
        public VirtualServerKey service() {
            return virtualServer.key();
        }

        @Override
        public String describe() {
            return "-A " + Describe.service(virtualServer.key()) + " -s " + virtualServer.spec().scheduler();
        }
    }

    /** {@code ipvsadm -E}: change a service's configuration; ESRCH if it does not exist. */
    record UpdateService(VirtualServer virtualServer) implements IpvsOp {
        public UpdateService {
            Objects.requireNonNull(virtualServer, "virtualServer");
        }

        @Override
        public VirtualServerKey service() {
            return virtualServer.key();
        }

        @Override
        public String describe() {
            return "-E " + Describe.service(virtualServer.key()) + " -s " + virtualServer.spec().scheduler();
        }
    }

    /** {@code ipvsadm -D}: delete a service and its real servers; ESRCH if it does not exist. */
    record DeleteService(VirtualServerKey service) implements IpvsOp {
        public DeleteService {
            Objects.requireNonNull(service, "service");
        }

        @Override
        public String describe() {
            return "-D " + Describe.service(service);
        }
    }

    /**
     * {@code ipvsadm -a}: add a real server; ESRCH if the service does not exist, EEXIST if the
     * real server does. A real server of another address family than its service is refused here
     * unless it is tunnelled, as the kernel would refuse it with EINVAL.
     */
    record AddRealServer(VirtualServerKey service, RealServer realServer) implements IpvsOp {
        public AddRealServer {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(realServer, "realServer");
            Describe.checkFamilies(service, realServer);
        }

        @Override
        public String describe() {
            return "-a " + Describe.service(service) + " -r " + realServer.key()
                    + " " + Describe.forwarding(realServer.spec()) + " -w " + realServer.spec().weight()
                    + Describe.thresholds(realServer.spec());
        }
    }

    /**
     * {@code ipvsadm -e}: change a real server; ESRCH if the service does not exist, ENOENT if the
     * real server does not. The same family rule as {@link AddRealServer} applies.
     */
    record UpdateRealServer(VirtualServerKey service, RealServer realServer) implements IpvsOp {
        public UpdateRealServer {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(realServer, "realServer");
            Describe.checkFamilies(service, realServer);
        }

        @Override
        public String describe() {
            return "-e " + Describe.service(service) + " -r " + realServer.key()
                    + " " + Describe.forwarding(realServer.spec()) + " -w " + realServer.spec().weight()
                    + Describe.thresholds(realServer.spec());
        }
    }

    /**
     * {@code ipvsadm -d}: delete a real server; ESRCH if the service does not exist, ENOENT if the
     * real server does not.
     */
    record DeleteRealServer(VirtualServerKey service, RealServerKey realServer) implements IpvsOp {
        public DeleteRealServer {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(realServer, "realServer");
        }

        @Override
        public String describe() {
            return "-d " + Describe.service(service) + " -r " + realServer;
        }
    }
}

/** Shared text and checks of the op records. */
final class Describe {
    private Describe() {
    }

    static String service(VirtualServerKey key) {
        if (key.isFwmark()) {
            return "-f " + Integer.toUnsignedString(key.fwmark())
                    + (key.family() == AddressFamily.INET6 ? " -6" : "");
        }
        String flag = switch (key.protocol()) {
            case TCP -> "-t ";
            case UDP -> "-u ";
            case SCTP -> "--sctp-service ";
        };
        return flag + IpAddresses.toText(key.address(), key.port());
    }

    static String forwarding(RealServerSpec spec) {
        return switch (spec.forwarding()) {
            case DIRECT_ROUTE -> "-g";
            case TUNNEL -> "-i";
            case MASQ -> "-m";
            case LOCAL -> "(local)";
        };
    }

    /** {@code -x UPPER -y LOWER}, or nothing without thresholds (ipvsadm's default is 0 for both). */
    static String thresholds(RealServerSpec spec) {
        if (spec.upperThreshold() == 0 && spec.lowerThreshold() == 0) {
            return "";
        }
        return " -x " + spec.upperThreshold() + " -y " + spec.lowerThreshold();
    }

    static void checkFamilies(VirtualServerKey service, RealServer realServer) {
        if (realServer.key().family() != service.family()
                && realServer.spec().forwarding() != Forwarding.TUNNEL) {
            throw new IllegalArgumentException("real server " + realServer.key() + " is "
                    + realServer.key().family() + " but service " + service + " is " + service.family()
                    + "; mixed address families are only possible with TUNNEL forwarding");
        }
    }
}
