package io.lvsdirector.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.core.status.Measurements;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The change log sits between the loop and the Prometheus measurements, so whatever it does not
 * forward never reaches {@code /metrics}: the per-service series ({@code apply_failures_total},
 * {@code service_in_step}) were missing from the packaged service because the interface gained them
 * as default methods and this class kept the no-op defaults.
 */
class ChangeLogTest {

    @Test
    void everyMeasurementsMethodIsForwardedNotLeftToItsDefault() {
        List<String> notForwarded = Arrays.stream(Measurements.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> declaredBy(m).equals(Measurements.class))
                .map(Method::getName).toList();
        assertThat(notForwarded).as("Measurements methods ChangeLog leaves to the interface's default").isEmpty();
    }

    @Test
    void perServiceCallsReachTheNextMeasurements() {
        CountingMeasurements next = new CountingMeasurements();
        ChangeLog log = new ChangeLog(next);
        log.applyFailed("bad", "add_service", "ENOENT");
        log.serviceInStep("bad", false);
        log.passCompleted(Duration.ofMillis(1), true);
        assertThat(next.applyFailures()).containsEntry("bad add_service ENOENT", 1L);
        assertThat(next.inStep()).containsEntry("bad", false);
        log.serviceGone("bad");
        assertThat(next.inStep()).doesNotContainKey("bad");
    }

    private static Class<?> declaredBy(Method m) {
        try {
            return ChangeLog.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }
}
