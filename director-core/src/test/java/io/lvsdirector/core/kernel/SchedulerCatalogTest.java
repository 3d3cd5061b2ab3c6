package io.lvsdirector.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.kernel.SchedulerCatalog.Availability;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.lab.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SchedulerCatalogTest {

    static final Set<String> NAMES = Set.of("rr", "wlc", "mh", "twos");

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));


    /** {@code fake}, with {@link Ipvs#schedulerAvailable} answered by {@code probe}. */
    static Ipvs probing(FakeIpvs fake, Function<String, Optional<Boolean>> probe) {
        return (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class}, (p, m, args) -> {
            if (m.getName().equals("schedulerAvailable")) {
                return probe.apply((String) args[0]);
            }
            try {
                return m.invoke(fake, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void unknownUntilProbedThenWhatTheKernelSays() {
        SchedulerCatalog c = new SchedulerCatalog(NAMES, clock, Duration.ofMinutes(5));
        assertThat(c.view().probedAt()).isNull();
        assertThat(c.view().availability("twos")).isEqualTo(Availability.UNKNOWN);
        assertThat(c.view().available()).isEmpty();

        FakeIpvs fake = new FakeIpvs();
        assertThat(c.reconcile(fake)).isTrue();
        assertThat(c.view().availability("rr")).isEqualTo(Availability.AVAILABLE);
        assertThat(c.view().availability("mh")).isEqualTo(Availability.AVAILABLE);
        assertThat(c.view().availability("twos")).isEqualTo(Availability.UNAVAILABLE);
        assertThat(c.view().availability("not-in-catalog")).isEqualTo(Availability.UNKNOWN);
        assertThat(c.view().available()).containsExactly("mh", "rr", "wlc");
        assertThat(c.view().probedAt()).isEqualTo(clock.instant());
        assertThat(c.view().entries().get("twos").probedAt()).isEqualTo(clock.instant());
        // The probe changed nothing in the table.
        assertThat(fake.writeCount()).isZero();
    }

    @Test
    void probesAgainOnlyAfterTheIntervalOrWhenAsked() {
        SchedulerCatalog c = new SchedulerCatalog(NAMES, clock, Duration.ofMinutes(5));
        FakeIpvs fake = new FakeIpvs();
        AtomicInteger probes = new AtomicInteger();
        Ipvs ipvs = probing(fake, n -> {
            probes.incrementAndGet();
            return fake.schedulerAvailable(n);
        });
        c.reconcile(ipvs);
        assertThat(probes).hasValue(4);
        clock.advance(Duration.ofMinutes(4));
        c.reconcile(ipvs);
        assertThat(probes).hasValue(4);
        c.refresh();
        c.reconcile(ipvs);
        assertThat(probes).hasValue(8);
        clock.advance(Duration.ofMinutes(4));
        c.reconcile(ipvs);
        assertThat(probes).hasValue(8);
        clock.advance(Duration.ofMinutes(1));
        c.reconcile(ipvs);
        assertThat(probes).hasValue(12);
    }

    @Test
    void aKernelThatGainsASchedulerIsSeenAtTheNextRound() {
        SchedulerCatalog c = new SchedulerCatalog(NAMES, clock, Duration.ofMinutes(5));
        FakeIpvs fake = new FakeIpvs();
        c.reconcile(fake);
        assertThat(c.view().availability("twos")).isEqualTo(Availability.UNAVAILABLE);
        fake.withSchedulers(FakeIpvs.STOCK_SCHEDULERS);
        clock.advance(Duration.ofMinutes(5));
        c.reconcile(fake);
        assertThat(c.view().availability("twos")).isEqualTo(Availability.AVAILABLE);
    }

    @Test
    void aProbeThatFailsIsUnknownAndRetriedSooner() {
        SchedulerCatalog c = new SchedulerCatalog(NAMES, clock, Duration.ofMinutes(5));
        AtomicInteger calls = new AtomicInteger();
        FakeIpvs fake = new FakeIpvs();
        Ipvs broken = probing(fake, name -> {
            calls.incrementAndGet();
            if (name.equals("wlc")) {
                throw new IpvsException(Errno.ETIMEDOUT, "probe", "");
            }
            return name.equals("mh") ? Optional.empty() : fake.schedulerAvailable(name);
        });
        assertThat(c.reconcile(broken)).isTrue();
        assertThat(c.view().availability("wlc")).isEqualTo(Availability.UNKNOWN);
        assertThat(c.view().availability("mh")).isEqualTo(Availability.UNKNOWN);
        assertThat(c.view().availability("rr")).isEqualTo(Availability.AVAILABLE);
        clock.advance(SchedulerCatalog.RETRY_UNKNOWN);
        c.reconcile(broken);
        assertThat(calls).hasValue(8);
    }
}
