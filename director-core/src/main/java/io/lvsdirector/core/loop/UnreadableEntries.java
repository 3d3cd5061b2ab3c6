package io.lvsdirector.core.loop;

import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.core.plan.Unreadable;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bookkeeping for kernel entries of the director's services that the records cannot read (a foreign
 * edit: {@code ipvsadm -M 255.0.255.0}, a weight above 65535). The planner edits such an entry in
 * place or deletes it; the pass after such an edit reads the kernel to see the entry whole. One that
 * still cannot be read after an edit is reported and asks for no more re-reads, so the loop does not
 * spin on it.
 *
 * <p>Used only on the loop's thread, inside a pass.
 */
final class UnreadableEntries {

    private static final Logger LOG = LoggerFactory.getLogger(UnreadableEntries.class);

    // Entries a pass edited since the kernel was last read, and those a read still found unreadable
    // after such an edit: the edit cannot repair them, so they no longer ask for a quick re-read.
    private final Set<String> edited = new HashSet<>();
    private Set<String> stuck = Set.of();
    // Whether this pass edited an entry that may read now: the next pass should read the kernel.
    private boolean readSoon;

    /** Starts a pass. */
    void beginPass() {
        readSoon = false;
    }

    /** Whether the pass edited an unreadable entry that may read after the edit. */
    boolean readSoon() {
        return readSoon;
    }

    /** Whether there is anything to report: {@link #problems} would change the list. */
    boolean any(KernelTable actual) {
        return !actual.unreadable().isEmpty() || !edited.isEmpty() || !stuck.isEmpty();
    }

    /**
     * The status lines for unreadable entries of the director's services, after noting which of them a
     * read still finds unreadable although a pass edited them since the last read.
     */
    List<String> problems(DesiredState desired, KernelTable actual, boolean readKernel, Set<VirtualServerKey> owned,
            List<String> problems) {
        if (readKernel) {
            Set<String> now = new HashSet<>();
            for (Unreadable u : actual.unreadable().values()) {
                now.addAll(u.describeKeys());
            }
            Set<String> next = new HashSet<>(edited);
            next.retainAll(now);
            // Still stuck only while still unreadable: one that read fine once starts afresh.
            Set<String> keep = new HashSet<>(stuck);
            keep.retainAll(now);
            next.addAll(keep);
            for (String k : next) {
                if (!stuck.contains(k)) {
                    LOG.warn("event=unreadable_entry_stuck entry=\"{}\"", k);
                }
            }
            stuck = Set.copyOf(next);
            edited.clear();
        }
        List<String> lines = Planner.unreadableProblems(desired, actual, owned);
        if (lines.isEmpty() && stuck.isEmpty()) {
            return problems;
        }
        List<String> out = new ArrayList<>(problems);
        out.addAll(lines);
        for (String k : stuck) {
            out.add("kernel entry " + k + " still cannot be read after an edit in place: fix or delete it by hand"
                    + " (ipvsadm); the director keeps its other entries as desired");
        }
        return out;
    }

    /**
     * Notes an op that succeeded on an entry the pass's table lists as unreadable: the next pass
     * should read the kernel to see it, unless an earlier edit of it already proved useless.
     */
    void noteEdit(KernelTable table, PlanOp op) {
        Unreadable u = table.unreadable().get(op.service());
        if (u == null) {
            return;
        }
        String key = null;
        if (u.wholeService()) {
            key = u.service().toString();
        } else if (op.op() instanceof IpvsOp.UpdateRealServer upd && u.realServers().containsKey(upd.realServer().key())) {
            key = u.service() + " -> " + upd.realServer().key();
        }
        if (key != null) {
            edited.add(key);
            if (!stuck.contains(key)) {
                readSoon = true;
            }
        }
    }
}
