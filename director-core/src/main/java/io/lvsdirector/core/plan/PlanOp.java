package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Objects;

/**
 * One change to the kernel table, in the director's words. {@code KernelOps} turns them into
 * ipvs-netlink operations in one place.
 *
 * <p>Each op names the service it belongs to ({@code name}) for logs and metrics.
 */
public sealed interface PlanOp {

    /** The service's name, for logs. */
    String name();

    /** The kernel identity of the service the op touches. */
    VirtualServerKey service();

    /** A short kind for metrics: {@code add_service}, {@code update_destination}, ... */
    String kind();

    /** {@code ipvsadm -A}. */
    record AddService(String name, VirtualServerKey service, ServiceConfig config) implements PlanOp {
        public AddService {
            Objects.requireNonNull(name);
            Objects.requireNonNull(service);
            Objects.requireNonNull(config);
        }

        @Override
        public String kind() {
            return "add_service";
        }
    }

    /** {@code ipvsadm -E}: scheduler, flags or persistence edited in place. */
    record UpdateService(String name, VirtualServerKey service, ServiceConfig config) implements PlanOp {
        public UpdateService {
            Objects.requireNonNull(name);
            Objects.requireNonNull(service);
            Objects.requireNonNull(config);
        }

        @Override
        public String kind() {
            return "update_service";
        }
    }

    /** {@code ipvsadm -D}: the kernel removes the service's real servers with it. */
    record DeleteService(String name, VirtualServerKey service) implements PlanOp {
        public DeleteService {
            Objects.requireNonNull(name);
            Objects.requireNonNull(service);
        }

        @Override
        public String kind() {
            return "delete_service";
        }
    }

    /** {@code ipvsadm -a}. */
    record AddDestination(String name, VirtualServerKey service, RealServerKey destination, DestinationConfig config)
            implements PlanOp {
        public AddDestination {
            Objects.requireNonNull(name);
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
            Objects.requireNonNull(config);
        }

        @Override
        public String kind() {
            return "add_destination";
        }
    }

    /** {@code ipvsadm -e}: weight or forwarding edited in place. */
    record UpdateDestination(String name, VirtualServerKey service, RealServerKey destination, DestinationConfig config)
            implements PlanOp {
        public UpdateDestination {
            Objects.requireNonNull(name);
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
            Objects.requireNonNull(config);
        }

        @Override
        public String kind() {
            return "update_destination";
        }
    }

    /** {@code ipvsadm -d}. */
    record DeleteDestination(String name, VirtualServerKey service, RealServerKey destination) implements PlanOp {
        public DeleteDestination {
            Objects.requireNonNull(name);
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }

        @Override
        public String kind() {
            return "delete_destination";
        }
    }
}
