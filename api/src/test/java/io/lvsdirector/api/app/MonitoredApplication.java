package io.lvsdirector.api.app;

import io.lvsdirector.api.LvsDirectorApplication;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.k8s.K8sSyncConfig;
import io.lvsdirector.k8s.KubernetesClients;
import io.lvsdirector.k8s.KubernetesNodeSource;
import io.lvsdirector.spec.ServiceSpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The whole application on a {@link FakeIpvs} with every optional metric family switched on: a Kubernetes
 * node source (its client points at a closed port; with no selectors it never connects, and counts as
 * synced) and, through the config, HA. Its parts are kept in statics for the test to drive: the health
 * board stands in for the probes, {@link #measurements} is the chain the loop reports to.
 */
public class MonitoredApplication extends LvsDirectorApplication {

    static volatile FakeIpvs ipvs;
    static volatile HealthBoard health;
    static volatile Measurements measurements;
    static volatile Director director;

    @Override
    protected Director buildDirector(LvsDirectorConfiguration config, Measurements m) throws Exception {
        Path dir = Files.createTempDirectory("lvs-director-monitored");
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: not-a-real-token}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """);
        K8sSyncConfig k8s = K8sSyncConfig.kubeconfig(kubeconfig);
        KubernetesNodeSource nodes = new KubernetesNodeSource(KubernetesClients.create(k8s).orElseThrow(), k8s);
        nodes.setSelectors(List.of());
        ipvs = new FakeIpvs();
        health = HealthBoard.manual();
        measurements = m;
        FileServiceStore store = FileServiceStore.load(dir.resolve("state.json"), new ServiceSpecJson(), true);
        director = new Director(ipvs, store, nodes, health, new ServiceSpecJson(), m, Clock.systemUTC(),
                // A 1 s resync (2 s in the lab's packaged config): the lvs_director_ipvs_* series come from the loop's
                // last full read of the kernel, which an incremental pass after a PUT does not make.
                new LoopSettings(Duration.ofMillis(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofSeconds(1)), List.of(nodes));
        return director;
    }
}
