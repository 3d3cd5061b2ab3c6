package io.lvsdirector.core.model;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How the director decides whether a real server takes traffic.
 *
 * <p>The port may differ from the service's: Traefik answers {@code /ping} on :8080 while serving on
 * :80. Port 0 means "the service's port"; {@link #resolvePort(int)} fixes it, so that two services
 * checking the same node the same way share one probe.
 *
 * <p>Defaults ({@link #http()}, {@link #tcp()}): probe every 100 ms with a 100 ms timeout, out after
 * 3 failures in a row, in after 2 successes. A node that refuses connections is out within about
 * 300 ms, one that stops answering within about 400 ms (one interval to the next probe, two more,
 * one timeout), and a single lost probe (1 % loss: one in a million for three in a row) never takes
 * a node out. The price is ten probes a second per node, which is cheap for tens of edge nodes; a
 * fleet of thousands should raise the interval.
 *
 * @param kind HTTP GET or TCP connect
 * @param port the port to probe, 0 for the service's port
 * @param path HTTP request path (HTTP only), starting with {@code /}
 * @param host HTTP Host header, or {@code null} for the probed address
 * @param expectedStatuses HTTP status codes that mean healthy
 * @param drainStatuses HTTP status codes that mean "draining" (weight 0, not removed at once)
 * @param interval time between the starts of two probes
 * @param timeout how long one probe may take, at most {@code interval}
 * @param rise consecutive successes that bring a failed server back
 * @param fall consecutive failures that take a healthy server out
 */
public record HealthCheck(
        Kind kind,
        int port,
        String path,
        String host,
        Set<Integer> expectedStatuses,
        Set<Integer> drainStatuses,
        Duration interval,
        Duration timeout,
        int rise,
        int fall) {

    public enum Kind {
        HTTP,
        TCP
    }

    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;

    public HealthCheck {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("check port must be 0..65535: " + port);
        }
        if (kind == Kind.HTTP) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("path must start with / and have no blanks: '" + path + "'");
            }
            if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
                throw new IllegalArgumentException("host header must be a non-blank token: '" + host + "'");
            }
        } else {
            // A TCP check has no HTTP parts; normalising them keeps equal checks equal.
            path = null;
            host = null;
        }
        expectedStatuses = statuses(expectedStatuses == null ? Set.of(200) : expectedStatuses);
        drainStatuses = statuses(drainStatuses == null ? Set.of(503) : drainStatuses);
        if (kind == Kind.TCP) {
            expectedStatuses = Set.of();
            drainStatuses = Set.of();
        } else if (expectedStatuses.isEmpty()) {
            throw new IllegalArgumentException("an HTTP check needs at least one expected status");
        }
        for (Integer s : drainStatuses) {
            if (expectedStatuses.contains(s)) {
                throw new IllegalArgumentException("status " + s + " cannot mean both healthy and draining");
            }
        }
        if (interval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("interval must be at least 10 ms: " + interval);
        }
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("timeout must be between 1 ms and the interval: " + timeout);
        }
        if (rise < 1 || rise > 100 || fall < 1 || fall > 100) {
            throw new IllegalArgumentException("rise and fall must be 1..100: " + rise + ", " + fall);
        }
    }

    private static Set<Integer> statuses(Set<Integer> in) {
        for (Integer s : in) {
            if (s == null || s < 100 || s > 599) {
                throw new IllegalArgumentException("not an HTTP status code: " + s);
            }
        }
        // Sorted, so toString() is stable in logs.
        return java.util.Collections.unmodifiableSet(new TreeSet<>(in));
    }

    /** {@code GET /ping} on the service's port expecting 200, 503 meaning draining, default timing. */
    public static HealthCheck http() {
        return new HealthCheck(Kind.HTTP, 0, "/ping", null, Set.of(200), Set.of(503),
                DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RISE, DEFAULT_FALL);
    }

    /** A TCP connect to the service's port, default timing. */
    public static HealthCheck tcp() {
        return new HealthCheck(Kind.TCP, 0, null, null, null, null,
                DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RISE, DEFAULT_FALL);
    }

    public HealthCheck withPort(int newPort) {
        return new HealthCheck(kind, newPort, path, host, expectedStatuses, drainStatuses, interval, timeout,
                rise, fall);
    }

    public HealthCheck withPath(String newPath) {
        return new HealthCheck(kind, port, newPath, host, expectedStatuses, drainStatuses, interval, timeout,
                rise, fall);
    }

    public HealthCheck withHost(String newHost) {
        return new HealthCheck(kind, port, path, newHost, expectedStatuses, drainStatuses, interval, timeout,
                rise, fall);
    }

    public HealthCheck withStatuses(Set<Integer> expected, Set<Integer> drain) {
        return new HealthCheck(kind, port, path, host, expected, drain, interval, timeout, rise, fall);
    }

    public HealthCheck withTiming(Duration newInterval, Duration newTimeout, int newRise, int newFall) {
        return new HealthCheck(kind, port, path, host, expectedStatuses, drainStatuses, newInterval, newTimeout,
                newRise, newFall);
    }

    /** This check with port 0 replaced by {@code servicePort}. */
    public HealthCheck resolvePort(int servicePort) {
        return port != 0 ? this : withPort(servicePort);
    }
}
