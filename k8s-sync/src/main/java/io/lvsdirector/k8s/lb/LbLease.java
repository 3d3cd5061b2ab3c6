package io.lvsdirector.k8s.lb;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single allocating writer of a pair: a {@code coordination.k8s.io/v1} Lease, held and renewed
 * as client-go's leader election does it, but driven by the controller's own thread (no threads
 * here), so that "am I the holder" is checked right before each status write.
 *
 * <p><b>Timing</b> (D = {@link LbConfig#leaseDuration()}, 15 s by default). The holder renews when its
 * last renewal is D/5 old and counts itself holder only until D·2/3 after the start of its last
 * successful renewal. Another director takes the lease over only when it has seen the same record
 * (same {@code resourceVersion}) unchanged for D on its own monotonic clock, so wall clocks need not
 * agree; the D/3 between the two leaves room for a status write that was already on the wire when
 * the holder's time ran out. Every change is an update conditional on the {@code resourceVersion}
 * read, so of two directors taking over at once one gets 409 and stays a follower.
 *
 * <p>An API outage stops renewals: the holder stops deciding after D·2/3 and nobody takes over
 * until the API answers again (a takeover is a write). {@link #release()} is not called by a dying
 * process, so a crashed holder is replaced after D.
 *
 * <p>Not thread-safe except {@link #held()}: call {@link #ensure()} from one thread.
 */
final class LbLease {

    private static final Logger LOG = LoggerFactory.getLogger(LbLease.class);

    private final KubernetesClient client;
    private final Resource<Lease> resource;
    private final String namespace;
    private final String name;
    private final String identity;
    private final long durationNanos;
    private final LongSupplier nanos;
    private final Clock clock;
    /** Monotonic time until which this director is the holder; 0 when it is not. */
    private volatile long validUntil;
    private volatile String holder = "";
    private long renewedAt;
    private String observedVersion;
    private long observedAt;

    LbLease(KubernetesClient client, String namespace, String name, String identity, Duration duration,
            LongSupplier nanos, Clock clock) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.durationNanos = duration.toNanos();
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.client = client;
        this.resource = client.leases().inNamespace(namespace).withName(name);
    }

    /** Whether this director may decide and record allocations now. No I/O. */
    boolean held() {
        long until = validUntil;
        return until != 0 && nanos.getAsLong() - until < 0;
    }

    /** The holder this director last saw ("" before the first read), for status pages and logs. */
    String holder() {
        return holder;
    }

    /**
     * Takes or renews the lease when due (at most one read and one write); returns {@link #held()}.
     * Never throws for an API failure: the holder keeps its remaining time, a follower stays one.
     */
    boolean ensure() {
        long start = nanos.getAsLong();
        if (held() && start - renewedAt < durationNanos / 5) {
            return true;
        }
        try {
            Lease current = resource.get();
            if (current == null) {
                return write(resource.create(next(null)), start, true);
            }
            String version = current.getMetadata().getResourceVersion();
            if (!Objects.equals(version, observedVersion)) {
                observedVersion = version;
                observedAt = start;
            }
            String recorded = current.getSpec() == null || current.getSpec().getHolderIdentity() == null ? ""
                    : current.getSpec().getHolderIdentity();
            holder = recorded;
            boolean mine = identity.equals(recorded);
            long recordedDuration = current.getSpec() == null || current.getSpec().getLeaseDurationSeconds() == null
                    ? 0 : Duration.ofSeconds(current.getSpec().getLeaseDurationSeconds()).toNanos();
            // Wait out the longer of the two durations: a peer configured longer renews less often.
            long wait = Math.max(durationNanos, recordedDuration);
            if (!mine && !recorded.isEmpty() && start - observedAt < wait) {
                lost(recorded);
                return false;
            }
            return write(update(next(current)), start, !mine);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.debug("event=lb_lease_conflict lease={}/{} director={}", namespace, name, identity);
                lost(holder);
            } else {
                LOG.warn("event=lb_lease_failed lease={}/{} director={} held={} error=\"{}\"", namespace, name,
                        identity, held(), e.getMessage());
            }
            return held();
        }
    }

    /** Gives the lease up (a clean shutdown), so that the peer takes over at once. Best effort. */
    void release() {
        if (!held()) {
            return;
        }
        validUntil = 0;
        try {
            Lease current = resource.get();
            if (current != null && current.getSpec() != null && identity.equals(current.getSpec().getHolderIdentity())) {
                Lease empty = new LeaseBuilder(current).editSpec().withHolderIdentity(null).endSpec().build();
                update(empty);
                LOG.info("event=lb_lease_released lease={}/{} director={}", namespace, name, identity);
            }
        } catch (KubernetesClientException e) {
            LOG.warn("event=lb_lease_release_failed lease={}/{} director={} error=\"{}\"", namespace, name, identity,
                    e.getMessage());
        }
    }

    /** A PUT of the object as read: it carries the resourceVersion read, so a change in between is a 409. */
    private Lease update(Lease lease) {
        return client.leases().inNamespace(namespace).resource(lease).update();
    }

    private boolean write(Lease answer, long start, boolean acquired) {
        boolean was = held();
        renewedAt = start;
        validUntil = start + durationNanos * 2 / 3;
        if (validUntil == 0) {
            validUntil = 1;
        }
        holder = identity;
        if (answer != null) {
            observedVersion = answer.getMetadata().getResourceVersion();
            observedAt = start;
        }
        if (acquired || !was) {
            LOG.info("event=lb_lease_acquired lease={}/{} director={}", namespace, name, identity);
        }
        return true;
    }

    private void lost(String other) {
        if (validUntil != 0) {
            LOG.info("event=lb_lease_lost lease={}/{} director={} holder={}", namespace, name, identity, other);
        }
        validUntil = 0;
    }

    private Lease next(Lease current) {
        ZonedDateTime now = ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC);
        int seconds = (int) Math.max(1, Duration.ofNanos(durationNanos).toSeconds());
        if (current == null) {
            return new LeaseBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                    .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(seconds)
                    .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0).endSpec().build();
        }
        boolean mine = current.getSpec() != null && identity.equals(current.getSpec().getHolderIdentity());
        int transitions = current.getSpec() == null || current.getSpec().getLeaseTransitions() == null ? 0
                : current.getSpec().getLeaseTransitions();
        var spec = new LeaseBuilder(current).editOrNewSpec().withHolderIdentity(identity)
                .withLeaseDurationSeconds(seconds).withRenewTime(now);
        if (!mine) {
            spec = spec.withAcquireTime(now).withLeaseTransitions(transitions + 1);
        }
        return spec.endSpec().build();
    }
}
