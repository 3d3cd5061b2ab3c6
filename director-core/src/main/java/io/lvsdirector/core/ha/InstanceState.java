package io.lvsdirector.core.ha;

import java.time.Instant;
import java.util.Objects;

/**
 * What keepalived last reported for one VRRP instance.
 *
 * @param state the VRRP state
 * @param priority the priority keepalived passed (0..255), or {@code null} when it was not given
 * @param since when the state (not the priority) last changed
 */
public record InstanceState(VrrpState state, Integer priority, Instant since) {

    public InstanceState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        if (priority != null && (priority < 0 || priority > 255)) {
            throw new IllegalArgumentException("priority " + priority + " out of range 0..255");
        }
    }
}
