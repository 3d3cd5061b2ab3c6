package io.lvsdirector.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.spec.ServiceSpecJson;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DataPlaneHealthCheckTest {

    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"realServers\": {\"static\":"
            + " [{\"address\": \"198.18.0.21\"}]}}";

    @Test
    void unhealthyBeforeTheFirstPassHealthyAfterIt() {
        TestDirector t = new TestDirector();
        DataPlaneHealthCheck check = new DataPlaneHealthCheck(t.director);
        HealthCheck.Result before = check.execute();
        assertThat(before.isHealthy()).isFalse();
        assertThat(before.getMessage()).contains("no reconcile pass");

        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        t.director.loop().runOnce();
        HealthCheck.Result ok = check.execute();
        assertThat(ok.isHealthy()).isTrue();
        assertThat(ok.getMessage()).contains("1/1 services in the kernel").contains("0 services out of step");
    }

    @Test
    void aServiceTheKernelRefusesLeavesItHealthyAndTheOtherServiceIsApplied() {
        TestDirector t = new TestDirector();
        DataPlaneHealthCheck check = new DataPlaneHealthCheck(t.director);
        t.ipvs.injectFailure(op -> op instanceof IpvsOp.AddService a
                && a.service().equals(VirtualServerKey.tcp("198.18.0.101", 80)), 2, "");
        t.store.put(new ServiceSpecJson().fromJson("bad", WEB.replace("198.18.0.100", "198.18.0.101")));
        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        t.director.loop().runOnce();

        assertThat(t.ipvs.getService(VirtualServerKey.tcp("198.18.0.100", 80))).isPresent();
        ServiceStatus bad = t.director.loop().status().services().stream().filter(s -> s.name().equals("bad"))
                .findFirst().orElseThrow();
        assertThat(bad.applyError().errno()).isEqualTo("ENOENT");
        HealthCheck.Result r = check.execute();
        assertThat(r.isHealthy()).isTrue();
        assertThat(r.getMessage()).contains("1 services out of step");
    }

    @Test
    void unhealthyWhileTheKernelCannotBeRead() {
        TestDirector t = new TestDirector();
        AtomicBoolean broken = new AtomicBoolean();
        Ipvs kernel = (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("snapshot") && broken.get()) {
                        throw new IpvsException(12, "-L -n", "cannot read");
                    }
                    try {
                        return method.invoke(t.ipvs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Director d = new Director(kernel, t.store, t.nodes, t.health, new ServiceSpecJson(), Measurements.NONE,
                Clock.systemUTC(), LoopSettings.DEFAULTS, List.of());
        DataPlaneHealthCheck check = new DataPlaneHealthCheck(d);
        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        d.loop().runOnce();
        assertThat(check.execute().isHealthy()).isTrue();

        broken.set(true);
        d.loop().runOnce();
        HealthCheck.Result r = check.execute();
        assertThat(r.isHealthy()).isFalse();
        assertThat(r.getMessage()).contains("cannot be read").contains("ENOMEM");

        broken.set(false);
        d.loop().runOnce();
        assertThat(check.execute().isHealthy()).isTrue();
    }
}
