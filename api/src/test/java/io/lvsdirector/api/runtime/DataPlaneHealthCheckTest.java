package io.lvsdirector.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.k8s.ServiceSpecJson;
import org.junit.jupiter.api.Test;

class DataPlaneHealthCheckTest {

    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"realServers\": {\"static\":"
            + " [{\"address\": \"198.18.0.21\"}]}}";

    @Test
    void unhealthyBeforeTheFirstPassAndAfterAFailedOneHealthyOtherwise() {
        TestDirector t = new TestDirector();
        DataPlaneHealthCheck check = new DataPlaneHealthCheck(t.director);
        HealthCheck.Result before = check.execute();
        assertThat(before.isHealthy()).isFalse();
        assertThat(before.getMessage()).contains("no reconcile pass");

        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        t.director.loop().runOnce();
        HealthCheck.Result ok = check.execute();
        assertThat(ok.isHealthy()).isTrue();
        assertThat(ok.getMessage()).contains("1/1 services in the kernel");

        t.ipvs.injectFailure(op -> true, 12, "ENOMEM");
        t.store.put(new ServiceSpecJson().fromJson("web", WEB.replace("198.18.0.21", "198.18.0.22")));
        t.director.loop().runOnce();
        HealthCheck.Result failed = check.execute();
        assertThat(failed.isHealthy()).isFalse();
        assertThat(failed.getMessage()).contains("last reconcile pass failed").contains("ENOMEM");
    }
}
