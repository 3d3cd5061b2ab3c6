package io.lvsdirector.core.model;

/**
 * The fewest healthy real servers a service runs on before its {@link WhenAllDown} policy takes
 * over: keepalived's {@code quorum} and {@code hysteresis}, counted in servers rather than weight.
 *
 * <p>A service drops below quorum when fewer than {@code minHealthy} of its candidates are healthy
 * (ACTIVE, or not probed yet) and is back only when at least {@code minHealthy + hysteresis} are.
 * The band is above {@code minHealthy}, not around it as keepalived's is ({@code quorum -
 * hysteresis} to lose, {@code quorum + hysteresis} to regain): {@code minHealthy} stays a floor the
 * service never runs below, and one server flapping at the boundary cannot flap the policy.
 *
 * @param minHealthy 1..65535; 1 (the default) means "the policy applies when none is healthy"
 * @param hysteresis 0..65535 extra healthy servers needed to leave the policy again; default 0
 */
public record Quorum(int minHealthy, int hysteresis) {

    public static final Quorum DEFAULT = new Quorum(1, 0);

    public Quorum {
        if (minHealthy < 1 || minHealthy > 65535) {
            throw new IllegalArgumentException("minHealthy must be 1..65535: " + minHealthy);
        }
        if (hysteresis < 0 || hysteresis > 65535) {
            throw new IllegalArgumentException("hysteresis must be 0..65535: " + hysteresis);
        }
    }

    /**
     * Whether a service with {@code healthy} healthy candidates is below quorum now.
     *
     * @param wasBelow whether it was below quorum after the previous build
     */
    public boolean below(int healthy, boolean wasBelow) {
        return wasBelow ? healthy < minHealthy + hysteresis : healthy < minHealthy;
    }
}
