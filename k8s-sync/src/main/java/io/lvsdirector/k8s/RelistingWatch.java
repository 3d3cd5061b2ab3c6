package io.lvsdirector.k8s;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * One watched resource as a current informer generation and, while a re-list runs, its replacement:
 * the watch-lost / watch-back bookkeeping {@link KubernetesNodeSource} and
 * {@link KubernetesEndpointSource} share. When a watch comes back without fabric8 having listed
 * again (a resumed watch can miss deletions), a fresh generation lists everything and is promoted
 * once its list completes.
 *
 * <p>The log lines are the sources' own: {@code event=<prefix>_watch_lost <label>=... <noun>_kept=N},
 * {@code <prefix>_watch_back}, {@code <prefix>_full_resync}, {@code <prefix>_list_failed}, on the
 * source's logger.
 *
 * @param <G> the source's generation type
 */
abstract class RelistingWatch<G extends RelistingWatch.InformerGeneration> {

    /** One informer and its list bookkeeping; the source's subclass is its event handler. */
    abstract static class InformerGeneration {
        final AtomicLong lists = new AtomicLong();
        volatile boolean listed;
        /** Scheduler thread only: whether the monitor has seen this informer's watch open. */
        boolean everWatched;

        /** The informer, or {@code null} for a placeholder before start. */
        abstract SharedIndexInformer<?> informer();

        /** How many objects this generation holds (for the log lines). */
        abstract int count();
    }

    private final Logger log;
    private final String prefix;
    private final String labelKey;
    private final Object label;
    private final String noun;
    volatile G current;
    private G replacement;
    private boolean disconnected;
    private long listsAtDisconnect;
    volatile boolean stopped;

    /**
     * @param prefix the events' prefix ({@code node}, {@code endpoints})
     * @param labelKey the name of the key that says which watch ({@code selector}, {@code resource})
     * @param noun what the counts count ({@code nodes}, {@code objects})
     */
    RelistingWatch(Logger log, String prefix, String labelKey, Object label, String noun) {
        this.log = log;
        this.prefix = prefix;
        this.labelKey = labelKey;
        this.label = label;
        this.noun = noun;
    }

    /** A new generation with its informer; {@code previous} is the one it replaces, or {@code null}. */
    abstract G newGeneration(G previous);

    /** The watch was lost (after the log line). */
    void lost() {
    }

    /** The watch came back, whether or not a re-list starts (after the log line). */
    void back() {
    }

    /** A full re-list completed: by fabric8 itself, or by a promoted replacement (before its log line). */
    abstract void resynced();

    /** A replacement became current (after the log line). */
    void promoted() {
    }

    void start() {
        G g = newGeneration(null);
        current = g;
        startInformer(g);
    }

    private void startInformer(G g) {
        g.informer().start().whenComplete((v, t) -> {
            if (t != null && !stopped) {
                // The informer retries on its own; hasSynced() waits for it.
                log.warn("event={}_list_failed {}={} error={}", prefix, labelKey, label, t.toString());
            }
        });
    }

    /** Whether the current generation's watch is open now. */
    boolean watching() {
        G g = current;
        return g != null && g.informer() != null && g.informer().isWatching();
    }

    synchronized void stop() {
        stopped = true;
        G g = current;
        if (g != null && g.informer() != null) {
            g.informer().stop();
        }
        if (replacement != null) {
            replacement.informer().stop();
            replacement = null;
        }
    }

    /** Scheduler thread only. Returns whether the watch is open now. */
    synchronized boolean checkConnection() {
        G g = current;
        if (g == null || g.informer() == null || stopped) {
            return false;
        }
        boolean watching = g.informer().isWatching();
        if (watching) {
            g.everWatched = true;
        }
        if (!watching) {
            // Between the end of a list and the open watch, isWatching() is false too: only a
            // watch that was open and closed counts as lost.
            if (!disconnected && g.everWatched) {
                disconnected = true;
                listsAtDisconnect = g.lists.get();
                log.warn("event={}_watch_lost {}={} {}_kept={}", prefix, labelKey, label, noun, g.count());
                lost();
            }
            return false;
        }
        if (disconnected) {
            disconnected = false;
            if (g.lists.get() == listsAtDisconnect && replacement == null) {
                // fabric8 resumed the watch from its last resourceVersion without listing:
                // deletions during the outage may be lost, so list everything again.
                log.info("event={}_watch_back {}={} action=full_relist", prefix, labelKey, label);
                replacement = newGeneration(g);
                startInformer(replacement);
            } else {
                log.info("event={}_watch_back {}={} action=none relisted_by_informer=true", prefix, labelKey, label);
                resynced();
            }
            back();
        }
        return true;
    }

    /** The replacement finished its list: it becomes current, the old informer stops. */
    synchronized void promote(G g) {
        if (stopped || g != replacement) {
            g.informer().stop();
            return;
        }
        G old = current;
        current = g;
        replacement = null;
        old.informer().stop();
        resynced();
        log.info("event={}_full_resync {}={} {}={}", prefix, labelKey, label, noun, g.count());
        promoted();
    }
}
