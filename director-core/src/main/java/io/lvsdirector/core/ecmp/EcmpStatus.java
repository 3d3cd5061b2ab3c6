package io.lvsdirector.core.ecmp;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What the announcer did last.
 *
 * @param interfaceName the announce interface
 * @param decisions the decision per VIP
 * @param onInterface the interface's addresses after the last run ({@code null} when they could not be read)
 * @param since when each VIP last changed between announced and withdrawn (this process's view)
 * @param lastError the last run's failure, {@code null} when it succeeded
 * @param bird what BIRD last said ({@code null} before it was first asked)
 * @param at when the last run ended ({@code null} before the first)
 */
public record EcmpStatus(String interfaceName, SortedMap<InetAddress, Announcement> decisions,
        List<InetAddress> onInterface, Map<InetAddress, Instant> since, String lastError, BirdView bird, Instant at) {

    public EcmpStatus {
        decisions = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(decisions));
        onInterface = onInterface == null ? null : List.copyOf(onInterface);
        since = Map.copyOf(since);
    }
}
