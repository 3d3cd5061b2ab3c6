package io.lvsdirector.core.model;

import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How the director decides whether a real server takes traffic: one record per kind of check
 * ({@link Http}, {@link Https}, {@link Tcp}), each with only the fields its kind means, and the timing they share
 * ({@link Timing}). Like seesaw's {@code healthcheck/} (one file per kind), a new kind is a new
 * record here, a probe class in {@code io.lvsdirector.core.probe}, and its JSON case; {@link #match}
 * makes the compiler list every other place that must know it.
 *
 * <p>The port may differ from the service's: Traefik answers {@code /ping} on :8080 while serving on
 * :80. Port 0 means "the service's port"; {@link #resolvePort(int)} fixes it, so that two services
 * checking the same node the same way share one probe (equal records are one probe target).
 *
 * <p>Defaults ({@link #http()}, {@link #tcp()}, {@link Timing#DEFAULTS}): probe every 100 ms with a
 * 100 ms timeout, out after 3 failures in a row, in after 2 successes. A node that refuses
 * connections is out within about 300 ms, one that stops answering within about 400 ms (one interval
 * to the next probe, two more, one timeout), and a single lost probe (1 % loss: one in a million for
 * three in a row) never takes a node out. The price is ten probes a second per node, which is cheap
 * for tens of edge nodes; a fleet of thousands should raise the interval.
 */
public sealed interface HealthCheck permits HealthCheck.Http, HealthCheck.Https, HealthCheck.Tcp {

    /** The port to probe, 0 for the service's port. */
    int port();

    /** When to probe and how many answers in a row change the state. */
    Timing timing();

    /** This check probing {@code port} instead. */
    HealthCheck withPort(int port);

    /** This check with other timing. */
    HealthCheck withTiming(Timing timing);

    /** Which way the probe's packets reach the real server: its own address, or the VIP. */
    Via via();

    /** This check sent the other way. */
    HealthCheck withVia(Via via);

    /**
     * The check as its own kind: calls the function for this record's kind and returns its result.
     * Java 17 has no pattern {@code switch} (a preview there), so this is its exhaustive form: a new
     * kind adds a parameter, and every caller stops compiling until it says what the kind does.
     */
    <R> R match(Function<? super Http, ? extends R> http, Function<? super Https, ? extends R> https,
            Function<? super Tcp, ? extends R> tcp);

    /**
     * How logs and status name a probe of this check on {@code address} (IPv6 in brackets):
     * {@code http://10.0.0.1:8080/ping}, {@code https://10.0.0.1:8443/ping}, {@code tcp://10.0.0.1:80}.
     */
    String describe(String address);

    default Duration interval() {
        return timing().interval();
    }

    default Duration timeout() {
        return timing().timeout();
    }

    default int rise() {
        return timing().rise();
    }

    default int fall() {
        return timing().fall();
    }

    /** As {@link #withTiming(Timing)}. */
    default HealthCheck withTiming(Duration interval, Duration timeout, int rise, int fall) {
        return withTiming(new Timing(interval, timeout, rise, fall));
    }

    /** This check with port 0 replaced by {@code servicePort}. */
    default HealthCheck resolvePort(int servicePort) {
        return port() != 0 ? this : withPort(servicePort);
    }

    /** {@code GET /ping} on the service's port expecting 200, 503 meaning draining, default timing. */
    static Http http() {
        return new Http(0, "/ping", null, Set.of(200), Set.of(503), Timing.DEFAULTS);
    }

    /**
     * {@code GET /ping} over TLS on the service's port expecting 200, 503 meaning draining, the
     * certificate verified against the JVM's default trust, default timing.
     */
    static Https https() {
        return new Https(0, "/ping", null, Set.of(200), Set.of(503), null, false, Timing.DEFAULTS);
    }

    /** A TCP connect to the service's port, default timing. */
    static Tcp tcp() {
        return new Tcp(0, Timing.DEFAULTS);
    }

    /**
     * Which address a probe's packets carry, and so what it proves.
     *
     * <p>{@link #NODE}: the real server's own address. It proves the node answers; not that it answers
     * traffic for the VIP. A direct-routing node that lost the VIP on {@code lo} (or its
     * {@code arp_ignore}/{@code arp_announce}, or whose kube-proxy dropped the LoadBalancer address)
     * still passes while it drops every client packet.
     *
     * <p>{@link #VIP}: addressed to VIP:port and handed to the one real server under test the way the
     * director hands it client traffic (direct routing: the node's MAC, the IP header unchanged), so
     * a node that would drop or refuse the VIP's traffic fails the check. Direct routing only;
     * director-core's README says how (an internal fwmark service per real server, a marked socket).
     */
    enum Via {
        NODE,
        VIP;

        /** {@code node} or {@code vip}, as the JSON spells it. */
        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The timing every kind shares.
     *
     * @param interval time between the starts of two probes, at least 10 ms
     * @param timeout how long one probe may take, 1 ms to {@code interval}
     * @param rise consecutive successes that bring a failed server back, 1..100
     * @param fall consecutive failures that take a healthy server out, 1..100
     */
    record Timing(Duration interval, Duration timeout, int rise, int fall) {

        public static final Timing DEFAULTS = new Timing(Duration.ofMillis(100), Duration.ofMillis(100), 2, 3);

        public Timing {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
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
    }

    /**
     * HTTP/1.1 {@code GET}: the status code is the answer.
     *
     * @param port the port to probe, 0 for the service's port
     * @param path request path, starting with {@code /}
     * @param host Host header, or {@code null} for the probed address and port
     * @param expectedStatuses status codes that mean healthy ({@code null}: 200)
     * @param drainStatuses status codes that mean "draining": weight 0, not removed at once
     *     ({@code null}: 503)
     * @param timing interval, timeout, rise, fall
     * @param via the node's address or the VIP ({@code null}: the node's)
     */
    record Http(int port, String path, String host, Set<Integer> expectedStatuses, Set<Integer> drainStatuses,
            Timing timing, Via via) implements HealthCheck {

        /** A check via the node's own address. */
        public Http(int port, String path, String host, Set<Integer> expectedStatuses, Set<Integer> drainStatuses,
                Timing timing) {
            this(port, path, host, expectedStatuses, drainStatuses, timing, Via.NODE);
        }

        public Http {
            via = via == null ? Via.NODE : via;
            checkPort(port);
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(timing, "timing");
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("path must start with / and have no blanks: '" + path + "'");
            }
            if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
                throw new IllegalArgumentException("host header must be a non-blank token: '" + host + "'");
            }
            expectedStatuses = statuses(expectedStatuses == null ? Set.of(200) : expectedStatuses);
            drainStatuses = statuses(drainStatuses == null ? Set.of(503) : drainStatuses);
            if (expectedStatuses.isEmpty()) {
                throw new IllegalArgumentException("an HTTP check needs at least one expected status");
            }
            for (Integer s : drainStatuses) {
                if (expectedStatuses.contains(s)) {
                    throw new IllegalArgumentException("status " + s + " cannot mean both healthy and draining");
                }
            }
        }

        @Override
        public Http withPort(int newPort) {
            return new Http(newPort, path, host, expectedStatuses, drainStatuses, timing, via);
        }

        @Override
        public Http withTiming(Timing newTiming) {
            return new Http(port, path, host, expectedStatuses, drainStatuses, newTiming, via);
        }

        public Http withPath(String newPath) {
            return new Http(port, newPath, host, expectedStatuses, drainStatuses, timing, via);
        }

        public Http withHost(String newHost) {
            return new Http(port, path, newHost, expectedStatuses, drainStatuses, timing, via);
        }

        public Http withStatuses(Set<Integer> expected, Set<Integer> drain) {
            return new Http(port, path, host, expected, drain, timing, via);
        }

        @Override
        public Http withVia(Via newVia) {
            return new Http(port, path, host, expectedStatuses, drainStatuses, timing, newVia);
        }

        @Override
        public <R> R match(Function<? super Http, ? extends R> http, Function<? super Https, ? extends R> https,
                Function<? super Tcp, ? extends R> tcp) {
            return http.apply(this);
        }

        @Override
        public String describe(String address) {
            return "http://" + address + ":" + port + path;
        }

        private static Set<Integer> statuses(Set<Integer> in) {
            for (Integer s : in) {
                if (s == null || s < 100 || s > 599) {
                    throw new IllegalArgumentException("not an HTTP status code: " + s);
                }
            }
            // Sorted, so toString() is stable in logs.
            return Collections.unmodifiableSet(new TreeSet<>(in));
        }
    }

    /**
     * HTTP/1.1 {@code GET} over TLS: the status code is the answer, as for {@link Http}; a certificate
     * that does not verify, or a handshake that fails, is down with a reason starting {@code tls:}.
     * The certificate is verified (chain and name) unless {@code insecureSkipVerify}: against the CA
     * certificates in {@code caFile} when given, else against the JVM's default trust store; the name
     * checked, and sent as SNI, is {@code host} (without a port) when given, else the probed address.
     *
     * @param port the port to probe, 0 for the service's port
     * @param path request path, starting with {@code /}
     * @param host Host header, TLS server name and the name the certificate must carry; {@code null}
     *     for the probed address (then no SNI is sent, as for any IP address)
     * @param expectedStatuses status codes that mean healthy ({@code null}: 200)
     * @param drainStatuses status codes that mean "draining" ({@code null}: 503)
     * @param caFile absolute path of a PEM file of CA certificates to trust, or {@code null} for the
     *     JVM's default trust
     * @param insecureSkipVerify accept any certificate (still TLS, no authentication); not with a
     *     {@code caFile}
     * @param timing interval, timeout, rise, fall
     * @param via the node's address or the VIP ({@code null}: the node's)
     */
    record Https(int port, String path, String host, Set<Integer> expectedStatuses, Set<Integer> drainStatuses,
            String caFile, boolean insecureSkipVerify, Timing timing, Via via) implements HealthCheck {

        /** A check via the node's own address. */
        public Https(int port, String path, String host, Set<Integer> expectedStatuses, Set<Integer> drainStatuses,
                String caFile, boolean insecureSkipVerify, Timing timing) {
            this(port, path, host, expectedStatuses, drainStatuses, caFile, insecureSkipVerify, timing, Via.NODE);
        }

        public Https {
            via = via == null ? Via.NODE : via;
            // The HTTP rules, once: path, host and statuses as an Http check has them.
            Http http = new Http(port, path, host, expectedStatuses, drainStatuses, timing);
            expectedStatuses = http.expectedStatuses();
            drainStatuses = http.drainStatuses();
            if (caFile != null && (!caFile.startsWith("/") || caFile.chars().anyMatch(c -> c < ' ' || c == 0x7f))) {
                throw new IllegalArgumentException("caFile must be an absolute path: '" + caFile + "'");
            }
            if (caFile != null && insecureSkipVerify) {
                throw new IllegalArgumentException("caFile means nothing with insecureSkipVerify");
            }
        }

        /** The same request and statuses as a plain HTTP check: what is said inside the TLS. */
        public Http asHttp() {
            return new Http(port, path, host, expectedStatuses, drainStatuses, timing, via);
        }

        @Override
        public Https withPort(int newPort) {
            return new Https(newPort, path, host, expectedStatuses, drainStatuses, caFile, insecureSkipVerify, timing, via);
        }

        @Override
        public Https withTiming(Timing newTiming) {
            return new Https(port, path, host, expectedStatuses, drainStatuses, caFile, insecureSkipVerify, newTiming, via);
        }

        public Https withPath(String newPath) {
            return new Https(port, newPath, host, expectedStatuses, drainStatuses, caFile, insecureSkipVerify, timing, via);
        }

        public Https withHost(String newHost) {
            return new Https(port, path, newHost, expectedStatuses, drainStatuses, caFile, insecureSkipVerify, timing, via);
        }

        public Https withStatuses(Set<Integer> expected, Set<Integer> drain) {
            return new Https(port, path, host, expected, drain, caFile, insecureSkipVerify, timing, via);
        }

        /** Verify against the CA certificates in this PEM file instead of the JVM's default trust. */
        public Https withCaFile(String newCaFile) {
            return new Https(port, path, host, expectedStatuses, drainStatuses, newCaFile, false, timing, via);
        }

        @Override
        public Https withVia(Via newVia) {
            return new Https(port, path, host, expectedStatuses, drainStatuses, caFile, insecureSkipVerify, timing, newVia);
        }

        /** Accept any certificate (or verify again, with {@code false}). */
        public Https withInsecureSkipVerify(boolean skip) {
            return new Https(port, path, host, expectedStatuses, drainStatuses, skip ? null : caFile, skip, timing, via);
        }

        @Override
        public <R> R match(Function<? super Http, ? extends R> http, Function<? super Https, ? extends R> https,
                Function<? super Tcp, ? extends R> tcp) {
            return https.apply(this);
        }

        @Override
        public String describe(String address) {
            return "https://" + address + ":" + port + path;
        }
    }

    /**
     * A TCP connect: connected is healthy; nothing is written or read.
     *
     * @param port the port to probe, 0 for the service's port
     * @param timing interval, timeout, rise, fall
     * @param via the node's address or the VIP ({@code null}: the node's)
     */
    record Tcp(int port, Timing timing, Via via) implements HealthCheck {

        /** A check via the node's own address. */
        public Tcp(int port, Timing timing) {
            this(port, timing, Via.NODE);
        }

        public Tcp {
            via = via == null ? Via.NODE : via;
            checkPort(port);
            Objects.requireNonNull(timing, "timing");
        }

        @Override
        public Tcp withPort(int newPort) {
            return new Tcp(newPort, timing, via);
        }

        @Override
        public Tcp withTiming(Timing newTiming) {
            return new Tcp(port, newTiming, via);
        }

        @Override
        public Tcp withVia(Via newVia) {
            return new Tcp(port, timing, newVia);
        }

        @Override
        public <R> R match(Function<? super Http, ? extends R> http, Function<? super Https, ? extends R> https,
                Function<? super Tcp, ? extends R> tcp) {
            return tcp.apply(this);
        }

        @Override
        public String describe(String address) {
            return "tcp://" + address + ":" + port;
        }
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("check port must be 0..65535: " + port);
        }
    }
}
