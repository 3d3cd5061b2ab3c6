package io.lvsdirector.core.bench;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.probe.HealthProber;
import io.lvsdirector.core.probe.NettyChecker;
import io.lvsdirector.core.status.CountingMeasurements;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A process that only probes: the director's probe stack ({@link NettyChecker} on one I/O thread,
 * {@link HealthProber}) over HTTP keep-alive, {@code GET /ping} once a second with a 500 ms timeout,
 * for the addresses listed in a file; nothing else runs in it (no API, no reconcile loop), so its
 * whole-process CPU is what probing costs, the way keepalived's checker process is what keepalived's
 * probing costs. Used by {@code director-core/bench-keepalived.sh}, which reads its CPU from /proc.
 *
 * <p>Usage: {@code ProbeDriver ADDRESS_FILE PORT}. Prints {@code probing N} once the targets are set,
 * then every 5 s {@code probes=P failed=F healthy=H}; runs until killed.
 */
public final class ProbeDriver {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        HealthCheck check = HealthCheck.http().withPort(port)
                .withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3);
        Set<ProbeTarget> targets = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                targets.add(new ProbeTarget(InetAddress.getByName(line.trim()), check));
            }
        }
        CountingMeasurements m = new CountingMeasurements();
        try (NettyChecker checker = NettyChecker.create(1);
                HealthProber prober = HealthProber.create(checker, (t, s) -> { }, m, Clock.systemUTC(),
                        Duration.ofSeconds(30))) {
            prober.setTargets(targets);
            System.out.println("probing " + targets.size() + " transport=" + checker.transport());
            while (true) {
                Thread.sleep(5000);
                long healthy = prober.statuses().values().stream()
                        .filter(s -> s.state() == HealthState.HEALTHY).count();
                System.out.println("probes=" + m.probes() + " failed=" + m.failedProbes() + " healthy=" + healthy);
            }
        }
    }
}
