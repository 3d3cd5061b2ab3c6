package io.lvsdirector.core.loop;

import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass's ops sent to the kernel as one batch, each outcome put where it belongs: a success on the
 * table the pass ends with (and on the unreadable-entry bookkeeping), a refusal on its own service
 * ({@link ServiceFailures}), ops the batch never attempted on the pass as a whole.
 *
 * <p>Not thread-safe: used by the pass thread only.
 */
final class BatchApply {

    private static final Logger LOG = LoggerFactory.getLogger(BatchApply.class);

    private final Ipvs ipvs;
    private final Measurements measurements;
    private final ServiceFailures failures;
    private final UnreadableEntries unreadable;

    BatchApply(Ipvs ipvs, Measurements measurements, ServiceFailures failures, UnreadableEntries unreadable) {
        this.ipvs = ipvs;
        this.measurements = measurements;
        this.failures = failures;
        this.unreadable = unreadable;
    }

    /**
     * What the batch did.
     *
     * @param table the table after the ops that succeeded
     * @param applied how many succeeded
     * @param failed one line per op refused or not attempted
     * @param broken the first op not attempted (the socket failed), {@code null} when every op was
     * @param deleted the services whose delete succeeded
     */
    record Applied(KernelTable table, int applied, List<String> failed, String broken, List<VirtualServerKey> deleted) {}

    /** Applies {@code ops} to a kernel that held {@code table}. */
    Applied apply(List<PlanOp> ops, KernelTable table) {
        List<String> failed = new ArrayList<>();
        List<VirtualServerKey> deleted = new ArrayList<>();
        if (ops.isEmpty()) {
            return new Applied(table, 0, failed, null, deleted);
        }
        int applied = 0;
        String broken = null;
        KernelTable read = table;
        BatchResult batch = ipvs.apply(ops.stream().map(PlanOp::op).toList());
        for (int i = 0; i < ops.size(); i++) {
            PlanOp op = ops.get(i);
            BatchResult.Outcome outcome = batch.outcomes().get(i);
            IpvsException e = outcome.error();
            if (outcome.status() == BatchResult.Status.NOT_ATTEMPTED) {
                // The batch broke off (the socket failed): not the service's fault. The pass fails
                // and the retry reads the kernel to see what was done.
                String line = op.describe() + ": not attempted (" + e.errnoName() + ")";
                failed.add(line);
                if (broken == null) {
                    broken = line;
                }
                continue;
            }
            boolean ok = outcome.ok() || alreadyDone(op, e);
            measurements.opApplied(op.kind(), ok);
            if (ok) {
                applied++;
                unreadable.noteEdit(read, op);
                table = table.after(op.op());
                if (op.op() instanceof IpvsOp.DeleteService) {
                    deleted.add(op.service());
                }
                LOG.info("event=op_applied service={} op=\"{}\"", op.name(), op.describe());
            } else {
                String errno = e == null ? "-" : e.errnoName();
                failed.add(op.describe() + ": " + errno);
                failures.refused(op.name(), op, op.describe(), errno,
                        e == null ? String.valueOf(outcome.status()) : e.getMessage());
                LOG.warn("event=op_failed service={} op=\"{}\" status={} errno={}", op.name(),
                        op.describe(), outcome.status(), errno);
            }
        }
        return new Applied(table, applied, failed, broken, deleted);
    }

    /**
     * A refusal that leaves the kernel as the op wanted it: deleting what is gone. (An add that finds
     * the object present is not: its configuration may differ, so the service is marked and the retry
     * edits it.)
     */
    private static boolean alreadyDone(PlanOp op, IpvsException e) {
        if (e == null) {
            return false;
        }
        if (op.op() instanceof IpvsOp.DeleteService) {
            return e.errno() == Errno.ESRCH;
        }
        if (op.op() instanceof IpvsOp.DeleteRealServer) {
            return e.errno() == Errno.ENOENT || e.errno() == Errno.ESRCH;
        }
        return false;
    }
}
