package io.lvsdirector.core.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The reconcile loop's view after its last pass, for the api's status endpoint and health check.
 *
 * @param lastPassAt when the last pass began, {@code null} before the first
 * @param lastPassDuration how long it took, {@link Duration#ZERO} before the first
 * @param lastPassOk whether every op of it succeeded
 * @param lastError the first error of the last failed pass, {@code null} when it succeeded
 * @param waitingFor sources that have not delivered their first full view yet; while any is
 *     listed the loop does not touch the kernel
 * @param services every desired service
 * @param problems config problems found in the last build
 */
public record DirectorStatus(
        Instant lastPassAt,
        Duration lastPassDuration,
        boolean lastPassOk,
        String lastError,
        List<String> waitingFor,
        List<ServiceStatus> services,
        List<String> problems) {

    public DirectorStatus {
        Objects.requireNonNull(lastPassDuration, "lastPassDuration");
        waitingFor = List.copyOf(waitingFor);
        services = List.copyOf(services);
        problems = List.copyOf(problems);
    }

    /** Before the first pass. */
    public static DirectorStatus initial(List<String> waitingFor) {
        return new DirectorStatus(null, Duration.ZERO, false, null, waitingFor, List.of(), List.of());
    }
}
